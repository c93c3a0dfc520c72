import { sql } from "drizzle-orm";
import { loadConfig } from "../src/config";
import { rows, type Db } from "../src/db/client";
import { loadKeyRing } from "../src/crypto/keys";
import { createLogger } from "../src/logger";
import { seedDemo, seedFrame, type SeedOptions, type SeedSummary } from "../src/cli/seed";
import { submitComplaint } from "./helpers/complaints";
import { openPrivateDatabase, testAuditKeys } from "./helpers/database";
import { DELTA_RECOUNT, NO_DIFFERENCES, rollupDifferences } from "./helpers/metrics";
import { daysFromToday, today } from "./helpers/officers";
import { ok, startTestServer, type TestServer } from "./helpers/server";

// A fixed period, so the expectations below do not move with the calendar (and the run is repeatable).
// Small batches, so every table is written by several statements (roll-up triggers fire once per statement).
const OPTIONS: SeedOptions = {
  officers: 200,
  complaints: 1000,
  seed: 7,
  districtsPerRegion: 2,
  asOf: "2026-06-15",
  batch: 300,
};
const quiet = () => {};
const keys = () => ({
  keys: loadKeyRing(
    loadConfig({ NODE_ENV: "test", ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS }),
    createLogger("silent"),
  ),
  auditKeys: testAuditKeys(),
});
const count = async (db: Db, query: ReturnType<typeof sql>) =>
  (await rows<{ n: number }>(db, query))[0].n;

/** Every table the seed writes, as one checksum per table (ids included), to compare two runs. */
const digest = (db: Db) =>
  rows<{ t: string; n: number; h: string }>(
    db,
    sql`select 'officers' as t, count(*)::int as n, md5(string_agg(id::text || badge_number || full_name || rank || status || hired_at, ',' order by id)) as h from officers
    union all select 'assignments', count(*)::int, md5(string_agg(id::text || unit_id || from_date || coalesce(to_date::text, ''), ',' order by id)) from officer_assignments
    union all select 'complaints', count(*)::int, md5(string_agg(id::text || tracking_number || status || unit_id || registered_at || response_due_at || coalesce(closed_at::text, ''), ',' order by id)) from complaints
    union all select 'allegations', count(*)::int, md5(string_agg(id::text || category || coalesce(officer_id::text, '') || coalesce(finding, '') || coalesce(closure_reason, ''), ',' order by id)) from allegations
    union all select 'events', count(*)::int, md5(string_agg(id::text || kind || at || coalesce(public_message, ''), ',' order by id)) from complaint_events
    union all select 'commendations', count(*)::int, md5(string_agg(id::text || tracking_number || status || type, ',' order by id)) from commendations
    union all select 'reviews', count(*)::int, md5(string_agg(id::text || status || coalesce(penalty, ''), ',' order by id)) from disciplinary_reviews`,
  );

describe("npm run seed (demo data made by set-based statements)", () => {
  let t: TestServer;
  let summary: SeedSummary;
  let db: Db;

  beforeAll(async () => {
    t = await startTestServer({}, { privateDatabase: true });
    db = t.database.db;
    summary = await seedDemo(db, keys(), OPTIONS, quiet);
  });
  afterAll(() => t?.close());

  it("writes what it reports, across the whole workflow", async () => {
    expect(summary).toMatchObject({
      districts: 40,
      officers: 200,
      complaints: 1000,
      commendations: 200,
    });
    expect(await count(db, sql`select count(*)::int as n from allegations`)).toBe(
      summary.allegations,
    );
    expect(summary.allegations).toBeGreaterThan(summary.complaints);
    const statuses = await rows<{ status: string }>(
      db,
      sql`select distinct status from complaints order by status`,
    );
    expect(statuses.map((s) => s.status)).toEqual([
      "ASSIGNED",
      "CLOSED",
      "PENDING_REVIEW",
      "REGISTERED",
      "REOPENED",
      "UNDER_INVESTIGATION",
    ]);
    expect(summary.reviews).toBeGreaterThan(0);
    expect(
      await count(db, sql`select count(*)::int as n from complaints where extended_to is not null`),
    ).toBeGreaterThan(0);
    expect(
      await count(
        db,
        sql`select count(*)::int as n from complaints where feedback_rating is not null`,
      ),
    ).toBeGreaterThan(0);
  });

  it("makes the same rows for the same seed, and refuses a database that was seeded already", async () => {
    const again = await openPrivateDatabase();
    try {
      await seedDemo(again.database.db, keys(), OPTIONS, quiet);
      expect(await digest(again.database.db)).toEqual(await digest(db));
    } finally {
      await again.drop();
    }
    await expect(seedDemo(db, keys(), OPTIONS, quiet)).rejects.toThrow(
      /already holds seeded officers/,
    );
  });

  it("keeps everything inside the three years before --as-of", async () => {
    const frame = seedFrame(OPTIONS.seed, OPTIONS.asOf!);
    const end = `${OPTIONS.asOf} 00:00+00`;
    const outside = await count(
      db,
      sql`select count(*)::int as n from complaints where registered_at < ${`${frame.windowStart} 00:00+00`}::timestamptz
        or registered_at >= ${end}::timestamptz or incident_at > registered_at or closed_at >= ${end}::timestamptz`,
    );
    expect(outside).toBe(0);
  });

  it("blames each allegation on the unit the officer served in on the incident day, while serving", async () => {
    const wrong = await count(
      db,
      sql`select count(*)::int as n from allegations a join complaints c on c.id = a.complaint_id join officers o on o.id = a.officer_id
      where o.hired_at > (c.incident_at at time zone 'Asia/Almaty')::date
        or a.unit_at_incident_id is distinct from (select x.unit_id from officer_assignments x where x.officer_id = a.officer_id
          and x.from_date <= (c.incident_at at time zone 'Asia/Almaty')::date
          and (x.to_date is null or x.to_date > (c.incident_at at time zone 'Asia/Almaty')::date))
        or exists (select 1 from officer_status_changes s where s.officer_id = o.id and s.to_status in ('DISMISSED', 'RETIRED')
          and (s.changed_at at time zone 'Asia/Almaty')::date <= (c.incident_at at time zone 'Asia/Almaty')::date)`,
    );
    expect(wrong).toBe(0);
  });

  it("closes a complaint only when every allegation has a finding or a closure reason, never both", async () => {
    const open = await count(
      db,
      sql`select count(*)::int as n from complaints c join allegations a on a.complaint_id = c.id
      where c.status = 'CLOSED' and a.finding is null and a.closure_reason is null`,
    );
    const both = await count(
      db,
      sql`select count(*)::int as n from allegations where finding is not null and closure_reason is not null`,
    );
    expect([open, both]).toEqual([0, 0]);
  });

  it("keeps transfers apart, none after a separation, and records each separation as a status change", async () => {
    const overlapping = await count(
      db,
      sql`select count(*)::int as n from officer_assignments a join officer_assignments b on a.officer_id = b.officer_id and a.id < b.id
      and daterange(a.from_date, a.to_date) && daterange(b.from_date, b.to_date)`,
    );
    const afterLeaving = await count(
      db,
      sql`select count(*)::int as n from officer_assignments a join officer_status_changes s on s.officer_id = a.officer_id
      and s.to_status in ('DISMISSED', 'RETIRED') where a.from_date > s.changed_at::date`,
    );
    const unrecorded = await count(
      db,
      sql`select count(*)::int as n from officers o where o.status in ('DISMISSED', 'RETIRED') and not exists
      (select 1 from officer_status_changes s where s.officer_id = o.id and s.from_status = 'ACTIVE' and s.to_status = o.status)`,
    );
    expect([overlapping, afterLeaving, unrecorded]).toEqual([0, 0, 0]);
    expect(
      await count(
        db,
        sql`select count(*)::int as n from officer_assignments where to_date is not null`,
      ),
    ).toBeGreaterThan(0);
  });

  it("puts registration and closure (and each step between) on every complaint's timeline", async () => {
    const missing = await count(
      db,
      sql`select count(*)::int as n from complaints c where not exists (select 1 from complaint_events e where e.complaint_id = c.id and e.kind = 'REGISTERED')
        or (c.status = 'CLOSED' and not exists (select 1 from complaint_events e where e.complaint_id = c.id and e.kind = 'CLOSED'))`,
    );
    expect(missing).toBe(0);
  });

  it("seals narratives and complainant data with the configured keys, readable in the case file", async () => {
    const [complaint] = await rows<{ id: string }>(
      db,
      sql`select id from complaints where not anonymous order by tracking_number limit 1`,
    );
    const file = ok(
      await (await t.as("INVESTIGATOR")).op("CaseFile", { id: complaint.id }),
    ).complaint;
    expect(file.narrative.length).toBeGreaterThan(20);
    expect(file.complainant.fullName).toMatch(/^[A-Z][a-z]+ [A-Z][a-z]+$/);
    expect(file.timeline[0]).toMatchObject({
      kind: "REGISTERED",
      publicMessage: expect.stringContaining(file.trackingNumber),
    });
  });

  it("leaves each year's tracking counter at its last number, so the next submission follows on", async () => {
    const year = Number(OPTIONS.asOf!.slice(0, 4));
    const [{ last }] = await rows<{ last: number }>(
      db,
      sql`select last from tracking_counters where scope = 'SNM' and year = ${year}`,
    );
    const highest = await count(
      db,
      sql`select max(substring(tracking_number from 10)::int)::int as n from complaints where tracking_number like ${`SNM-${year}-%`}`,
    );
    expect(last).toBe(highest);
    const submitted = ok(
      await t.public.op("SubmitComplaint", {
        input: {
          idempotencyKey: "1f0d9c9e-7a55-4c1e-9a43-5d1f0c2b7e01",
          channel: "WEB_FORM",
          incidentAt: new Date(Date.now() - 3_600_000).toISOString(),
          unitCode: "KZ-AST",
          narrative: "Submitted after the seed.",
          categories: ["DISCOURTESY"],
        },
      }),
    ).submitComplaint.receipt;
    // Nothing but the seed wrote to this database: a later year starts its own sequence.
    const now = Number(today().slice(0, 4));
    const expected = now === year ? last + 1 : 1;
    expect(submitted.trackingNumber).toBe(`SNM-${now}-${String(expected).padStart(6, "0")}`);
  });

  it("rolls the seeded complaints into the trust metrics", async () => {
    const from = "2025-06-01";
    const received = await count(
      db,
      sql`select count(*)::int as n from complaints
        where registered_at >= ${`${from} 00:00+00`}::timestamptz and registered_at < ${`${OPTIONS.asOf} 00:00+00`}::timestamptz`,
    );
    // Exact figures for a period the public may not ask for (it gets whole calendar periods only).
    const analyst = await t.as("ANALYST");
    const metrics = ok(
      await analyst.op("TrustMetrics", { scope: "MVD", from, to: OPTIONS.asOf }),
    ).trustMetrics;
    expect(metrics.complaintsReceived).toBe(received);
  });

  it("builds the roll-ups in bulk exactly as the per-statement triggers would", async () => {
    expect(await rollupDifferences(db, DELTA_RECOUNT)).toEqual(NO_DIFFERENCES);
  });

  it("leaves the roll-up triggers on for the writes that follow", async () => {
    const analyst = await t.as("ANALYST");
    const tomorrow = daysFromToday(1);
    const received = async () =>
      ok(await analyst.op("TrustMetrics", { scope: "MVD", from: OPTIONS.asOf, to: tomorrow }))
        .trustMetrics.complaintsReceived as number;
    const before = await received();
    await submitComplaint(t.public);
    const after = await received();
    expect(after - before).toBe(1);
  });
});
