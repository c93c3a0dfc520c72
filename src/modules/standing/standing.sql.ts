import { sql, type Placeholder, type SQL } from "drizzle-orm";
import { AWAITING_DECISION, LEFT_THE_FORCE } from "../../db/schema";

/** A date ("YYYY-MM-DD") or instant (ISO) the rules are applied at, or a placeholder for it in a prepared read. */
type At = string | Placeholder;

/** Constants as SQL literals, ('OPEN', 'APPEALED'): the statement's text, not parameters, so it plans as before. */
const literals = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

/**
 * The standing rules of DESIGN.md, in order, as one SQL expression over officer `o`: the single
 * definition used for one officer, a roster page and a whole region (set-based, one statement).
 */
export const standingCase = (today: At, now: At) => sql`case
  when o.status in (${literals(LEFT_THE_FORCE)}) then 'SEPARATED'
  when o.status = 'SUSPENDED' then 'SUSPENDED'
  when exists (select 1 from disciplinary_reviews r where r.officer_id = o.id
    and r.status in (${literals(AWAITING_DECISION)})) then 'UNDER_REVIEW'
  when exists (select 1 from disciplinary_reviews r where r.officer_id = o.id and ${inForce(sql`r`, today)}) then 'SANCTIONED'
  when exists (select 1 from early_warning_rules w where w.active and w.threshold <= (
    select count(*) from allegations a where a.officer_id = o.id and ${inWindow(sql`w`, sql`a`, now)})) then 'MONITORED'
  else 'GOOD' end`;

/** A decided sanction that applies today: not overturned, not NO_ACTION, today inside [from, until). */
export const inForce = (
  r: SQL,
  today: At,
) => sql`${r}.status in ('DECIDED', 'APPEALED', 'APPEAL_DECIDED', 'FINAL')
  and not ${r}.overturned and ${r}.penalty <> 'NO_ACTION'
  and ${r}.effective_from <= ${today}::date and (${r}.effective_until is null or ${r}.effective_until > ${today}::date)`;

/**
 * An allegation counts for a rule when its complaint was registered inside the window and its category
 * matches: one range of allegations_officer_window_idx per officer and rule, no complaint read.
 */
export const inWindow = (
  w: SQL,
  a: SQL,
  now: At,
) => sql`${a}.complaint_registered_at > ${now}::timestamptz - make_interval(days => ${w}.window_days)
  and (cardinality(${w}.categories) = 0 or ${a}.category = any(${w}.categories))`;
