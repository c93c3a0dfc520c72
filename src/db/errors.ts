/** PostgreSQL error codes we turn into client errors; everything else is a server fault. */
const codeOf = (e: unknown): string | undefined => {
  const err = e as { code?: unknown; cause?: { code?: unknown } };
  const code = err?.code ?? err?.cause?.code;
  return typeof code === "string" ? code : undefined;
};

export const isUniqueViolation = (e: unknown) => codeOf(e) === "23505";
export const isSerializationFailure = (e: unknown) => ["40001", "40P01"].includes(codeOf(e) ?? "");

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

/** The session ended (terminated, server shutting down or starting, too many clients) or the socket broke. */
const CONNECTION_CODES = new Set([
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
/** node-postgres reports a lost connection with these messages and no code. */
const CONNECTION_MESSAGES =
  /^(Connection terminated|Client has encountered a connection error|Client was closed)/;
/** node-postgres's pool found no connection within DB_CONNECT_TIMEOUT_MS (all busy, or the server slow to answer). */
const NO_CONNECTION_IN_TIME = /^timeout exceeded when trying to connect/;

const messageOf = (err: Failure) =>
  typeof err.message === "string" && !err.code ? err.message : "";

function isConnectionFault(err: Failure): boolean {
  const code = typeof err.code === "string" ? err.code : "";
  // A FATAL error ends the session (57P01 terminated, "database is not accepting connections", ...).
  return (
    CONNECTION_CODES.has(code) ||
    code.startsWith("08") ||
    err.severity === "FATAL" ||
    CONNECTION_MESSAGES.test(messageOf(err))
  );
}

/** Transaction-level conflicts PostgreSQL resolves by aborting one party: running it again may succeed. */
const CONFLICT_CODES = new Set(["40001", "40P01"]);
/** Out of time: statement_timeout (57014), lock_timeout (55P03) or the wait for a connection. */
const isTimeout = (err: Failure) =>
  ["57014", "55P03"].includes(err.code as string) || NO_CONNECTION_IN_TIME.test(messageOf(err));

/**
 * Worth running a transaction again at once (when it cannot have committed): a lost connection or a
 * deadlock. Not a timeout: running it again would wait as long again, and add to the load that caused it.
 */
export const isRetryableInTransaction = (e: unknown): boolean =>
  [...chain(e)].some((err) => isConnectionFault(err) || CONFLICT_CODES.has(err.code as string));

/** A failure of the database, not of the request: the client may send the same request again later. */
export const isTransientFault = (e: unknown): boolean =>
  isRetryableInTransaction(e) || [...chain(e)].some(isTimeout);
