import type { Config } from "./config";
import type { KeyRing } from "./crypto/keyring";
import { RecordKeys } from "./crypto/data-keys";
import type { Database, Db, Tx } from "./db/client";
import type { Logger } from "./logger";
import { appendAudit, type AuditEntry } from "./audit/audit.writer";
import { PersonalDataReads } from "./audit/request-audit";
import { bearerToken, principalForToken, type Principal } from "./auth/token";
import { currentTime, todayIn } from "./common/clock";
import { newRequestId } from "./common/ids";
import { createLoaders, type Loaders } from "./loaders";
import { RateLimiter } from "./ratelimit/rate-limiter";
import { Publication, type PublishedYear } from "./modules/metrics/publication.service";
import { isRetryableInTransaction } from "./db/errors";

export interface Context {
  db: Db;
  database: Database;
  config: Config;
  /** Seals and opens personal data. */
  keys: KeyRing;
  /** The complaints' and commendations' own data keys this request unwrapped, each once. */
  recordKeys: RecordKeys;
  /** Keys the audit chain (AUDIT_KEY). */
  auditKeys: KeyRing;
  principal: Principal | null;
  /** True when a token was sent but is unknown, pending approval, expired or revoked. */
  tokenRejected: boolean;
  requestId: string;
  /** The client's address (src/ratelimit/client-address.ts), for per-address rate limits only: never logged or audited. */
  clientAddress: string;
  rateLimiter: RateLimiter;
  /** The public figures, suppressed a year at a time and shared by every request of the process. */
  publication: Publication;
  /** The years of public figures this request used: one build each, however many fields read them. */
  publishedYears: Map<number, Promise<PublishedYear>>;
  log: Logger;
  loaders: Loaders;
  /** The request's instant, read once when its context is made: every time it writes or compares is this one. */
  now: Date;
  /** Today's date in the service's time zone, fixed for the whole request. */
  today: string;
  /** Complaints and commendations whose citizen's data this request returned: one audit record at the end. */
  personalReads: PersonalDataReads;
  /**
   * Shareable when no token came and nothing but published figures was asked (graphql/public-cache.ts).
   * An object, as the other per-request records are: Apollo runs the operation on a shallow copy of the context.
   */
  answer: { shareable: boolean };
  /** What this request was refused (operations and `Type.field`s): one DENIED record at the end. */
  denied: Set<string>;
}

export async function createContext(
  deps: {
    database: Database;
    config: Config;
    log: Logger;
    keys: KeyRing;
    auditKeys: KeyRing;
    rateLimiter?: RateLimiter;
    publication?: Publication;
  },
  headers: {
    authorization?: string;
    /** The server's id for the request (a fresh one when absent). */
    requestId?: string;
    /** The client's X-Request-Id, already checked: logged beside the server's, never audited. */
    clientRequestId?: string;
    clientAddress?: string;
  },
): Promise<Context> {
  const requestId = headers.requestId ?? newRequestId();
  const now = currentTime();
  const today = todayIn(deps.config.timeZone, now);
  const token = bearerToken(headers.authorization);
  const principal = token ? await principalForToken(deps.database.db, token, now) : null;
  return {
    db: deps.database.db,
    database: deps.database,
    config: deps.config,
    keys: deps.keys,
    recordKeys: new RecordKeys(deps.keys),
    auditKeys: deps.auditKeys,
    principal,
    tokenRejected: Boolean(token && !principal),
    requestId,
    clientAddress: headers.clientAddress ?? "",
    rateLimiter:
      deps.rateLimiter ?? new RateLimiter(deps.database.db, deps.config.rateLimits.windowSeconds),
    publication:
      deps.publication ??
      new Publication(
        deps.database.db,
        deps.config.publicMetricsRefreshSeconds,
        deps.config.timeZone,
      ),
    publishedYears: new Map(),
    log: deps.log.child({
      requestId,
      clientRequestId: headers.clientRequestId,
      principalId: principal?.id,
    }),
    loaders: createLoaders(deps.database.db, now, today),
    now,
    today,
    personalReads: new PersonalDataReads(),
    denied: new Set(),
    answer: { shareable: false },
  };
}

/**
 * Runs a mutation's work in one transaction and appends its audit records at the end, inside it:
 * the change and its record commit together or not at all.
 *
 * A transaction that lost its connection or was chosen as a deadlock victim runs once more, on a fresh
 * connection, but only if COMMIT was never sent: then nothing of it can have been written. A failure
 * during COMMIT is left to the client (submissions carry an idempotency key for exactly this).
 */
export async function inTransaction<T>(
  ctx: Context,
  work: (tx: Tx, audit: (entry: Omit<AuditEntry, "outcome">) => void) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let committing = false;
    try {
      return await ctx.db.transaction(async (tx) => {
        const entries: AuditEntry[] = [];
        const result = await work(tx, (entry) => entries.push({ ...entry, outcome: "SUCCESS" }));
        await appendAudit(tx, ctx, entries);
        committing = true;
        return result;
      });
    } catch (e) {
      if (attempt > 1 || committing || !isRetryableInTransaction(e)) throw e;
      ctx.log.warn(
        { err: e },
        "transaction failed before commit on a database fault; running it again",
      );
      // A deadlock's other party needs a moment to finish; a lost connection, a moment to be replaced.
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80));
    }
  }
}
