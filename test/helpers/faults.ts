import { randomBytes } from "node:crypto";
import { createServer, connect, type Server, type Socket } from "node:net";
import { sql } from "drizzle-orm";
import { rows, type Db } from "../../src/db/client";
import { startSenim, type SenimProcess } from "./process";

/** An application name no other process uses: its connections, and only those, can be found and killed. */
export const appName = (what: string) => `senim-${what}-${randomBytes(4).toString("hex")}`;

/** Starts a server process on this database whose connections carry `app` as their application name. */
export const startSenimOn = (
  url: string,
  app: string,
  env: Record<string, string> = {},
): Promise<SenimProcess> =>
  startSenim({
    DATABASE_URL: url,
    DB_APPLICATION_NAME: app,
    ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS!,
    AUDIT_KEY: process.env.AUDIT_KEY!,
    LOG_LEVEL: "warn",
    ...env,
  });

/** Polls until `check` gives something truthy; fails naming `what` after `ms` (a bound, not a measurement). */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | null | undefined | false>,
  ms = 20_000,
): Promise<T> {
  for (const deadline = Date.now() + ms; ;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Backends of this database opened by processes named `app`; `waitingOnLock` keeps those blocked on a lock. */
export async function backendsOf(
  db: Db,
  app: string,
  filter: { waitingOnLock?: boolean } = {},
): Promise<number[]> {
  const found = await rows<{ pid: number }>(
    db,
    sql`select pid from pg_stat_activity
        where datname = current_database() and application_name = ${app}
          ${filter.waitingOnLock ? sql`and wait_event_type = 'Lock'` : sql``}`,
  );
  return found.map((r) => r.pid);
}

/** Terminates these backends as an operator would (`pg_terminate_backend`); returns how many went. */
export async function terminate(db: Db, pids: number[]): Promise<number> {
  if (!pids.length) return 0;
  const list = sql.join(
    pids.map((pid) => sql`${pid}::int`),
    sql`, `,
  );
  const done = await rows<{ ok: boolean }>(
    db,
    sql`select pg_terminate_backend(pid) as ok from pg_stat_activity where pid in (${list})`,
  );
  return done.filter((r) => r.ok).length;
}

/**
 * Takes a lock in a transaction of its own and keeps it until `release()`: the statement (`... for update`)
 * decides what is locked. Resolves once the lock is held.
 */
export async function holdLock(
  db: Db,
  statement: ReturnType<typeof sql>,
): Promise<{ release(): Promise<void> }> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held!: () => void;
  const holding = new Promise<void>((resolve) => (held = resolve));
  const done = db.transaction(async (tx) => {
    await tx.execute(statement);
    held();
    await released;
  });
  done.catch(() => {}); // a failure after the lock was held is reported by release()
  await Promise.race([holding, done]);
  return {
    release: async () => {
      release();
      await done;
    },
  };
}

export interface SubmitResult {
  status: number;
  /** The server's id for the request (its X-Request-Id response header), under which it audits. */
  requestId?: string;
  receipt?: { trackingNumber: string; accessCode: string };
  error?: { code: string; message: string };
  /** The request never got an HTTP response (refused, reset). */
  networkError?: string;
}

/** Sends SubmitComplaint to a server process as a web form would, with this X-Request-Id; never throws. */
export async function submitTo(
  origin: string,
  input: Record<string, unknown>,
  requestId: string,
): Promise<SubmitResult> {
  const query = `mutation SubmitComplaint($input: SubmitComplaintInput!) {
    submitComplaint(input: $input) { receipt { trackingNumber accessCode } }
  }`;
  try {
    const res = await fetch(`${origin}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": requestId },
      body: JSON.stringify({ query, variables: { input } }),
    });
    const text = await res.text();
    let body: {
      data?: { submitComplaint?: { receipt: SubmitResult["receipt"] } } | null;
      errors?: { message: string; extensions: { code: string } }[];
    };
    try {
      body = JSON.parse(text);
    } catch {
      return {
        status: res.status,
        requestId: res.headers.get("x-request-id") ?? undefined,
        error: { code: "NOT_JSON", message: text.slice(0, 200) },
      };
    }
    const error = body.errors?.[0];
    return {
      status: res.status,
      requestId: res.headers.get("x-request-id") ?? undefined,
      receipt: body.data?.submitComplaint?.receipt,
      error: error && { code: error.extensions?.code, message: error.message },
    };
  } catch (e) {
    return { status: 0, networkError: (e as Error).message };
  }
}

/** /readyz's status code, or 0 when the process does not answer at all. */
export const readyStatus = (origin: string) =>
  fetch(`${origin}/readyz`).then(
    (res) => res.status,
    () => 0,
  );

export interface IntakeLedger {
  complaints: { id: string; trackingNumber: string; key: string | null }[];
  /** submitComplaint audit records (SUCCESS), by the complaint they name. */
  auditedIds: string[];
}

/** Every complaint of a private database with the idempotency key that created it, and the submissions audited. */
export async function intakeLedger(db: Db): Promise<IntakeLedger> {
  const complaints = await rows<{ id: string; trackingNumber: string; key: string | null }>(
    db,
    sql`select c.id::text as id, c.tracking_number as "trackingNumber", k.key::text as key
        from complaints c left join idempotency_keys k on k.scope = 'complaint' and k.result_id = c.id
        order by c.tracking_number`,
  );
  const audited = await rows<{ id: string }>(
    db,
    sql`select entity_id as id from audit_log where action = 'submitComplaint' and outcome = 'SUCCESS'`,
  );
  return { complaints, auditedIds: audited.map((r) => r.id) };
}

/** Tracking numbers grouped by year must run 1, 2, 3, ... with no gap and no repeat. */
export function numberingGaps(trackingNumbers: string[]): string[] {
  const byYear = new Map<string, number[]>();
  for (const n of trackingNumbers) {
    const [, year, seq] = /^SNM-(\d{4})-(\d{6})$/.exec(n) ?? [];
    if (!year) return [`malformed ${n}`];
    byYear.set(year, [...(byYear.get(year) ?? []), Number(seq)]);
  }
  const problems: string[] = [];
  for (const [year, seqs] of byYear) {
    seqs.sort((a, b) => a - b);
    seqs.forEach((seq, i) => {
      if (seq !== i + 1) problems.push(`${year}: position ${i + 1} holds ${seq}`);
    });
  }
  return problems.slice(0, 5);
}

export interface PostgresProxy {
  /** A copy of `url` that goes through the proxy. */
  url: string;
  /** As a PostgreSQL restart looks to its clients: every open connection reset, new ones refused until `start()`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP relay in front of PostgreSQL on loopback, so that a test can take "the database" away from one server
 * process (connections reset, then refused) without touching the PostgreSQL server that others share.
 */
export async function postgresProxy(url: string): Promise<PostgresProxy> {
  const target = new URL(url);
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 5432), target.hostname);
        for (const [from, to] of [
          [client, upstream],
          [upstream, client],
        ]) {
          sockets.add(from);
          from.pipe(to);
          from.on("error", () => to.destroy());
          from.on("close", () => (sockets.delete(from), to.destroy()));
        }
      });
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        port = (server!.address() as { port: number }).port;
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await listen();
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String(port);
  return {
    url: proxied.toString(),
    async stop() {
      const closed = stopListening();
      for (const socket of sockets) socket.resetAndDestroy();
      await closed;
    },
    start: listen,
    async close() {
      for (const socket of sockets) socket.destroy();
      await stopListening();
    },
  };
}
