-- Reference data every installation starts with, and the audit log's write-once guard.
INSERT INTO "ranks" ("code", "seniority", "name_kk", "name_ru", "name_en") VALUES
  ('PRIVATE', 1, 'Полиция қатардағы қызметкері', 'Рядовой полиции', 'Private'),
  ('JUNIOR_SERGEANT', 2, 'Полицияның кіші сержанты', 'Младший сержант полиции', 'Junior Sergeant'),
  ('SERGEANT', 3, 'Полиция сержанты', 'Сержант полиции', 'Sergeant'),
  ('SENIOR_SERGEANT', 4, 'Полицияның аға сержанты', 'Старший сержант полиции', 'Senior Sergeant'),
  ('SERGEANT_MAJOR', 5, 'Полиция старшинасы', 'Старшина полиции', 'Sergeant Major'),
  ('LIEUTENANT', 6, 'Полиция лейтенанты', 'Лейтенант полиции', 'Lieutenant'),
  ('SENIOR_LIEUTENANT', 7, 'Полицияның аға лейтенанты', 'Старший лейтенант полиции', 'Senior Lieutenant'),
  ('CAPTAIN', 8, 'Полиция капитаны', 'Капитан полиции', 'Captain'),
  ('MAJOR', 9, 'Полиция майоры', 'Майор полиции', 'Major'),
  ('LIEUTENANT_COLONEL', 10, 'Полиция подполковнигі', 'Подполковник полиции', 'Lieutenant Colonel'),
  ('COLONEL', 11, 'Полиция полковнигі', 'Полковник полиции', 'Colonel'),
  ('MAJOR_GENERAL', 12, 'Полиция генерал-майоры', 'Генерал-майор полиции', 'Major General'),
  ('LIEUTENANT_GENERAL', 13, 'Полиция генерал-лейтенанты', 'Генерал-лейтенант полиции', 'Lieutenant General'),
  ('COLONEL_GENERAL', 14, 'Полиция генерал-полковнигі', 'Генерал-полковник полиции', 'Colonel General');
--> statement-breakpoint
INSERT INTO "penalties" ("code", "severity", "name_kk", "name_ru", "name_en") VALUES
  ('NO_ACTION', 0, 'Жаза қолданылмайды', 'Без взыскания', 'No action'),
  ('TRAINING', 1, 'Қосымша оқыту', 'Дополнительное обучение', 'Training'),
  ('REMARK', 2, 'Ескерту', 'Замечание', 'Remark'),
  ('REPRIMAND', 3, 'Сөгіс', 'Выговор', 'Reprimand'),
  ('SEVERE_REPRIMAND', 4, 'Қатаң сөгіс', 'Строгий выговор', 'Severe reprimand'),
  ('INCOMPLETE_SERVICE_COMPLIANCE', 5, 'Қызметке толық сәйкес еместігі туралы ескерту', 'Предупреждение о неполном служебном соответствии', 'Warning of incomplete service compliance'),
  ('DEMOTION_IN_POSITION', 6, 'Лауазымын төмендету', 'Понижение в должности', 'Demotion in position'),
  ('DEMOTION_IN_RANK', 7, 'Арнаулы атағын төмендету', 'Понижение в специальном звании', 'Demotion in rank'),
  ('DISMISSAL', 8, 'Қызметтен шығару', 'Увольнение со службы', 'Dismissal');
--> statement-breakpoint
INSERT INTO "early_warning_rules" ("code", "categories", "window_days", "threshold", "active") VALUES
  ('ANY_3_IN_365', '{}', 365, 3, true),
  ('FORCE_2_IN_180', '{FORCE}', 180, 2, true);
--> statement-breakpoint
INSERT INTO "units" ("code", "name", "kind", "parent_id", "path") VALUES
  ('MVD', 'Ministry of Internal Affairs of the Republic of Kazakhstan', 'MINISTRY', NULL, '/MVD/');
--> statement-breakpoint
INSERT INTO "units" ("code", "name", "kind", "parent_id", "path")
SELECT r.code, r.name, 'REGION', m.id, '/MVD/' || r.code || '/'
FROM "units" m, (VALUES
  ('KZ-AST', 'Police Department of Astana'),
  ('KZ-ALA', 'Police Department of Almaty'),
  ('KZ-SHY', 'Police Department of Shymkent'),
  ('KZ-ABA', 'Police Department of Abai Region'),
  ('KZ-AKM', 'Police Department of Akmola Region'),
  ('KZ-AKT', 'Police Department of Aktobe Region'),
  ('KZ-ALM', 'Police Department of Almaty Region'),
  ('KZ-ATY', 'Police Department of Atyrau Region'),
  ('KZ-VOS', 'Police Department of East Kazakhstan Region'),
  ('KZ-ZHA', 'Police Department of Zhambyl Region'),
  ('KZ-ZHE', 'Police Department of Zhetysu Region'),
  ('KZ-ZAP', 'Police Department of West Kazakhstan Region'),
  ('KZ-KAR', 'Police Department of Karaganda Region'),
  ('KZ-KUS', 'Police Department of Kostanay Region'),
  ('KZ-KZY', 'Police Department of Kyzylorda Region'),
  ('KZ-MAN', 'Police Department of Mangystau Region'),
  ('KZ-PAV', 'Police Department of Pavlodar Region'),
  ('KZ-SEV', 'Police Department of North Kazakhstan Region'),
  ('KZ-TUR', 'Police Department of Turkistan Region'),
  ('KZ-ULY', 'Police Department of Ulytau Region')
) AS r(code, name)
WHERE m.code = 'MVD';
--> statement-breakpoint
-- Kazakhstan's public holidays 2025-2027 (Labour Code art. 84 and the Law on Holidays); a secular holiday
-- on a weekend moves to the next working day. Government-decreed bridge days are added by later migrations.
INSERT INTO "public_holidays" ("day", "name") VALUES
  ('2025-01-01', 'New Year'),
  ('2025-01-02', 'New Year'),
  ('2025-01-07', 'Orthodox Christmas'),
  ('2025-03-08', 'International Women''s Day'),
  ('2025-03-10', 'International Women''s Day (transferred day off)'),
  ('2025-03-21', 'Nauryz'),
  ('2025-03-22', 'Nauryz'),
  ('2025-03-23', 'Nauryz'),
  ('2025-03-24', 'Nauryz (transferred day off)'),
  ('2025-03-25', 'Nauryz (transferred day off)'),
  ('2025-05-01', 'Unity Day of the People of Kazakhstan'),
  ('2025-05-07', 'Defender of the Fatherland Day'),
  ('2025-05-09', 'Victory Day'),
  ('2025-06-06', 'Kurban Ait'),
  ('2025-07-06', 'Capital Day'),
  ('2025-07-07', 'Capital Day (transferred day off)'),
  ('2025-08-30', 'Constitution Day'),
  ('2025-09-01', 'Constitution Day (transferred day off)'),
  ('2025-10-25', 'Republic Day'),
  ('2025-10-27', 'Republic Day (transferred day off)'),
  ('2025-12-16', 'Independence Day'),
  ('2026-01-01', 'New Year'),
  ('2026-01-02', 'New Year'),
  ('2026-01-07', 'Orthodox Christmas'),
  ('2026-03-08', 'International Women''s Day'),
  ('2026-03-09', 'International Women''s Day (transferred day off)'),
  ('2026-03-21', 'Nauryz'),
  ('2026-03-22', 'Nauryz'),
  ('2026-03-23', 'Nauryz'),
  ('2026-03-24', 'Nauryz (transferred day off)'),
  ('2026-03-25', 'Nauryz (transferred day off)'),
  ('2026-05-01', 'Unity Day of the People of Kazakhstan'),
  ('2026-05-07', 'Defender of the Fatherland Day'),
  ('2026-05-09', 'Victory Day'),
  ('2026-05-11', 'Victory Day (transferred day off)'),
  ('2026-05-27', 'Kurban Ait'),
  ('2026-07-06', 'Capital Day'),
  ('2026-08-30', 'Constitution Day'),
  ('2026-08-31', 'Constitution Day (transferred day off)'),
  ('2026-10-25', 'Republic Day'),
  ('2026-10-26', 'Republic Day (transferred day off)'),
  ('2026-12-16', 'Independence Day'),
  ('2027-01-01', 'New Year'),
  ('2027-01-02', 'New Year'),
  ('2027-01-04', 'New Year (transferred day off)'),
  ('2027-01-07', 'Orthodox Christmas'),
  ('2027-03-08', 'International Women''s Day'),
  ('2027-03-21', 'Nauryz'),
  ('2027-03-22', 'Nauryz'),
  ('2027-03-23', 'Nauryz'),
  ('2027-03-24', 'Nauryz (transferred day off)'),
  ('2027-05-01', 'Unity Day of the People of Kazakhstan'),
  ('2027-05-03', 'Unity Day of the People of Kazakhstan (transferred day off)'),
  ('2027-05-07', 'Defender of the Fatherland Day'),
  ('2027-05-09', 'Victory Day'),
  ('2027-05-10', 'Victory Day (transferred day off)'),
  ('2027-05-16', 'Kurban Ait'),
  ('2027-07-06', 'Capital Day'),
  ('2027-08-30', 'Constitution Day'),
  ('2027-10-25', 'Republic Day'),
  ('2027-12-16', 'Independence Day');
--> statement-breakpoint
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
