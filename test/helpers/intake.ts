import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { eq, isNotNull, sql } from "drizzle-orm";
import { loadConfig } from "../../src/config";
import { todayIn } from "../../src/common/clock";
import { addDays } from "../../src/common/dates";
import { rows, type Database, type Queryable } from "../../src/db/client";
import {
  allegations,
  complaints,
  idempotencyKeys,
  publicHolidays,
  type ComplaintRow,
} from "../../src/db/schema";
import { createLogger } from "../../src/logger";
import { createSenimServer } from "../../src/server";
import { contractOperation } from "./contract";
import { complaintKey, onPostgres } from "./database";
import { startSenim, type SenimProcess } from "./process";
import { ok, type Caller, type GraphQLResult } from "./server";

/** The service's time zone, as the server under test is configured. */
export const timeZone = loadConfig({ NODE_ENV: "test" }).timeZone;

/** A string no other test (or test run) will ever write: for finding exactly one complaint's traces. */
export const marker = (what: string) => `${what}-${randomBytes(6).toString("hex")}`;

/** A complaint's case file as an investigator reads it (everything intake writes). */
export const CASE_FILE = `query CaseFile($id: ID!) {
  complaint(id: $id) {
    id version trackingNumber status channel language registeredAt responseDueAt extendedTo closedAt
    incidentAt incidentPlace narrative anonymous
    complainant { fullName email phone type }
    unit { code }
    registeredBy { id }
    allegations {
      id category description finding closureReason
      officer { badgeNumber }
      unitAtIncident { code }
    }
    timeline { kind note publicMessage }
  }
}`;

export async function caseFile(caller: Caller, id: string) {
  return ok(await caller.query(CASE_FILE, { id })).complaint;
}

/** The stored row behind a tracking number, every column as the database holds it. */
export async function complaintRow(db: Queryable, trackingNumber: string): Promise<ComplaintRow> {
  const [row] = await db
    .select()
    .from(complaints)
    .where(eq(complaints.trackingNumber, trackingNumber));
  if (!row) throw new Error(`no complaint ${trackingNumber}`);
  return row;
}

/**
 * How many complaints name this (unique) incident place: how many a test's submissions created. The place is
 * sealed under each complaint's own key, so every stored place the test's key ring can open is opened.
 */
export async function complaintsAt(db: Queryable, incidentPlace: string): Promise<number> {
  const stored = await db
    .select({
      id: complaints.id,
      dataKey: complaints.dataKey,
      place: complaints.incidentPlaceSealed,
    })
    .from(complaints)
    .where(isNotNull(complaints.incidentPlaceSealed));
  const placeOf = (c: (typeof stored)[number]) => {
    try {
      return complaintKey(c).open("complaints", "incident_place", c.id, c.place);
    } catch {
      return null; // sealed by a server process with a key file of its own: not this test's complaint
    }
  };
  return stored.filter((c) => placeOf(c) === incidentPlace).length;
}

export async function idempotencyRow(db: Queryable, key: string) {
  const [row] = await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
  return row ?? null;
}

export const allegationRows = (db: Queryable, complaintId: string) =>
  db.select().from(allegations).where(eq(allegations.complaintId, complaintId));

/** The public-holidays table, as YYYY-MM-DD. */
export async function holidayDays(db: Queryable): Promise<Set<string>> {
  return new Set(
    (await db.select({ day: publicHolidays.day }).from(publicHolidays)).map((r) => r.day),
  );
}

/** Mondays to Fridays that are not holidays, strictly after `from` and up to and including `to`. */
export function workingDaysBetween(
  from: string,
  to: string,
  holidays: ReadonlySet<string>,
): number {
  let count = 0;
  for (let day = addDays(from, 1); day <= to; day = addDays(day, 1)) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !holidays.has(day)) count++;
  }
  return count;
}

export const localDay = (at: string | Date) => todayIn(timeZone, new Date(at));
export const localYear = (at: string | Date) => Number(localDay(at).slice(0, 4));

/** The number part of SNM-2026-000042. */
export const sequenceOf = (trackingNumber: string) => Number(trackingNumber.slice(-6));

/** The complaint's status as its complainant sees it. */
export const publicStatus = (
  caller: Caller,
  receipt: { trackingNumber: string; accessCode: string },
) =>
  caller.op("ComplaintStatus", {
    trackingNumber: receipt.trackingNumber,
    accessCode: receipt.accessCode,
  });

/**
 * Ends a freshly registered complaint without a finding (every allegation WITHDRAWN), the shortest way
 * to CLOSED, so that feedback can be given. Returns the closed case file.
 */
export async function closeWithoutFinding(staff: Caller, id: string, publicMessage?: string) {
  const before = await caseFile(staff, id);
  for (const allegation of before.allegations) {
    ok(
      await staff.op("RecordFinding", {
        input: {
          allegationId: allegation.id,
          closureReason: "WITHDRAWN",
          rationale: "Withdrawn by letter.",
        },
      }),
    );
  }
  const { version } = await caseFile(staff, id);
  ok(
    await staff.op("CloseComplaint", {
      input: {
        complaintId: id,
        expectedVersion: version,
        ...(publicMessage ? { publicMessage } : {}),
      },
    }),
  );
  return caseFile(staff, id);
}

/** Sends a contract operation without a token to a server at `url`. */
export function publicSender(url: string) {
  return async <T = any>(
    name: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResult<T>> => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: contractOperation(name), variables }),
    });
    return { status: res.status, ...((await res.json()) as object) };
  };
}

export type PublicSender = ReturnType<typeof publicSender>;

/**
 * Two servers on one database. On PostgreSQL: two real `node dist/src/main.js` processes on the shared
 * database, with the test key ring. On PGlite (one connection, one process): two servers in this
 * process over the same Database object.
 */
export async function twoServersOn(
  database: Database,
): Promise<{ senders: [PublicSender, PublicSender]; stop(): Promise<void> }> {
  if (onPostgres) {
    const env = {
      ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS!,
      AUDIT_KEY: process.env.AUDIT_KEY!,
      LOG_LEVEL: "warn",
    };
    const started: SenimProcess[] = [];
    try {
      started.push(await startSenim(env));
      started.push(await startSenim(env));
    } catch (e) {
      await Promise.all(started.map((p) => p.stop()));
      throw e;
    }
    return {
      senders: [
        publicSender(`${started[0].origin}/graphql`),
        publicSender(`${started[1].origin}/graphql`),
      ],
      stop: async () => void (await Promise.all(started.map((p) => p.stop()))),
    };
  }
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS,
    AUDIT_KEY: process.env.AUDIT_KEY,
  });
  const servers = await Promise.all(
    [1, 2].map(() => createSenimServer({ database, config, log: createLogger("silent") })),
  );
  const ports = await Promise.all(servers.map((s) => s.listen(0, "127.0.0.1")));
  return {
    senders: [
      publicSender(`http://127.0.0.1:${ports[0]}/graphql`),
      publicSender(`http://127.0.0.1:${ports[1]}/graphql`),
    ],
    stop: async () => void (await Promise.all(servers.map((s) => s.close()))),
  };
}

/**
 * Everything the database holds, as bytes: `pg_dump` of the PostgreSQL database, or the PGlite data
 * directory (tables, indexes and write-ahead log) after a checkpoint.
 */
export async function databaseDump(database: Database): Promise<Buffer> {
  if (database.url) {
    const { stdout } = await promisify(execFile)(
      "pg_dump",
      ["--data-only", "--no-owner", database.url],
      {
        maxBuffer: 1024 * 1024 * 1024,
        encoding: "buffer",
      },
    );
    return stdout;
  }
  await database.db.execute(sql`checkpoint`);
  const client = (database.db as unknown as { $client: { dumpDataDir(c: "none"): Promise<Blob> } })
    .$client;
  return Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer());
}

/** The needles among `texts` that occur in `haystack` (as UTF-8). */
export const foundIn = (haystack: Buffer, texts: string[]) =>
  texts.filter((text) => haystack.includes(Buffer.from(text, "utf8")));

/** Raw rows of a table whose text form mentions `text`. */
export async function rowsMentioning(db: Queryable, table: string, text: string): Promise<number> {
  const [{ n }] = await rows<{ n: number }>(
    db,
    sql`select count(*)::int as n from ${sql.identifier(table)} t where strpos(t::text, ${text}) > 0`,
  );
  return n;
}

/** A caller with this token (or none) for a server other than the test file's own. */
export function callerAt(
  url: string,
  token: string | null,
  principalId: string | null = null,
): Caller {
  const query = async (document: string, variables?: Record<string, unknown>) => {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: document, variables }),
    });
    return { status: res.status, ...((await res.json()) as object) };
  };
  return {
    token,
    principalId,
    query,
    op: (name, variables) => query(contractOperation(name), variables),
  };
}
