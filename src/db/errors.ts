/** PostgreSQL error codes we turn into client errors; everything else is a server fault. */
const codeOf = (e: unknown): string | undefined => {
  const err = e as { code?: unknown; cause?: { code?: unknown } };
  const code = err?.code ?? err?.cause?.code;
  return typeof code === "string" ? code : undefined;
};

export const isUniqueViolation = (e: unknown) => codeOf(e) === "23505";

type Failure = {
  code?: unknown;
  severity?: unknown;
  message?: unknown;
  originalError?: unknown;
  cause?: unknown;
};

/** The error and what it wraps: Apollo's originalError, drizzle's cause, and so on (bounded). */
function* chain(e: unknown): Generator<Failure> {
  for (let depth = 0; e && typeof e === "object" && depth < 8; depth++) {
    const err = e as Failure;
    yield err;
    e = err.originalError ?? err.cause;
  }
}

/**
 * The session ended (terminated, server shutting down or starting, too many clients, an idle transaction
 * timed out: 25P03) or the socket broke (postgres.js: CONNECTION_CLOSED). Not CONNECTION_ENDED or _DESTROYED:
 * those are this process closing its own pool, which no retry mends.
 */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "25P03",
  "57P01",
  "57P02",
  "57P03",
  "57P05",
  "53300",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
function isConnectionFault(err: Failure): boolean {
  const code = typeof err.code === "string" ? err.code : "";
  // A FATAL error ends the session (57P01 terminated, "database is not accepting connections", ...).
  return CONNECTION_CODES.has(code) || code.startsWith("08") || err.severity === "FATAL";
}

/** Transaction-level conflicts PostgreSQL resolves by aborting one party: running it again may succeed. */
const CONFLICT_CODES = new Set(["40001", "40P01"]);
/**
 * Out of time: statement_timeout (57014), lock_timeout (55P03), or no connection within DB_CONNECT_TIMEOUT_MS
 * (postgres.js: QUEUE_TIMEOUT when all were busy, CONNECT_TIMEOUT when the server was slow to answer).
 */
const TIMEOUT_CODES = new Set(["57014", "55P03", "QUEUE_TIMEOUT", "CONNECT_TIMEOUT"]);
const isTimeout = (err: Failure) => TIMEOUT_CODES.has(err.code as string);

/**
 * Worth running a transaction again at once (when it cannot have committed): a lost connection or a
 * deadlock. Not a timeout: running it again would wait as long again, and add to the load that caused it.
 */
export const isRetryableInTransaction = (e: unknown): boolean =>
  [...chain(e)].some((err) => isConnectionFault(err) || CONFLICT_CODES.has(err.code as string));

/** A failure of the database, not of the request: the client may send the same request again later. */
export const isTransientFault = (e: unknown): boolean =>
  isRetryableInTransaction(e) || [...chain(e)].some(isTimeout);
