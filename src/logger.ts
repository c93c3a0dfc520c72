import pino from "pino";

export type Logger = pino.Logger;

interface FailedQuery extends Error {
  query: string;
  params: unknown;
}

const isFailedQuery = (err: Error): err is FailedQuery =>
  typeof (err as Partial<FailedQuery>).query === "string" && "params" in err;

/**
 * drizzle's failed-query errors carry the bound values (names, badge numbers, ...) in their message,
 * stack and `params`: this copy keeps the SQL and drops the values, along the whole cause chain.
 */
function withoutBoundValues(err: Error, depth = 0): Error {
  const cause = (err as { cause?: unknown }).cause;
  const cleanCause =
    cause instanceof Error && depth < 8 ? withoutBoundValues(cause, depth + 1) : cause;
  if (!isFailedQuery(err) && cleanCause === cause) return err;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(err)) as Error, err, {
    cause: cleanCause,
  });
  if (isFailedQuery(err)) {
    const message = `Failed query: ${err.query}`;
    delete (copy as Partial<FailedQuery>).params;
    copy.message = message;
    // The stack opens with the message: keep the frames after it, or none if it is not where expected.
    const head = `${err.name}: ${err.message}`;
    copy.stack = `${err.name}: ${message}${err.stack?.startsWith(head) ? err.stack.slice(head.length) : ""}`;
  } else {
    copy.message = err.message;
    copy.stack = err.stack;
  }
  return copy;
}

/** The first SQLSTATE or system error code along the cause chain: what an operator greps for. */
function codeAlong(err: unknown): string | undefined {
  for (
    let e = err, depth = 0;
    e && typeof e === "object" && depth < 8;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

const errSerializer = (err: unknown) => {
  const out = pino.stdSerializers.err(
    err instanceof Error ? withoutBoundValues(err) : (err as Error),
  );
  const code = codeAlong(err);
  return code && out && !("code" in out) ? { ...out, code } : out;
};

/**
 * JSON lines. Servers log to stdout; command-line tools pass fd 2 so their stdout stays clean
 * (the token command prints nothing but the token). Variables are never logged: they carry personal data.
 * Tests may pass a stream to read the lines back.
 */
export const createLogger = (
  level: string,
  destination: 1 | 2 | pino.DestinationStream = 1,
): Logger =>
  pino(
    {
      level,
      base: { service: "senim" },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: errSerializer },
    },
    typeof destination === "number"
      ? pino.destination({ fd: destination, sync: destination === 2 })
      : destination,
  );
