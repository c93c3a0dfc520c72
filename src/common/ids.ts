import { randomUUID } from "node:crypto";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What a client may send as X-Request-Id and have logged: anything else is dropped. */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** IDs are UUIDs; anything else cannot name a record, and must not reach a uuid column as a SQL error. */
export const isUuid = (value: string) => UUID.test(value);

/**
 * The server's own id for a request, in its audit rows, its log lines and the X-Request-Id response header:
 * a client cannot make its rows pass for another request's.
 */
export const newRequestId = (): string => randomUUID();

/** The client's X-Request-Id when it is well-formed: it goes to the log only, beside the server's id. */
export const clientRequestIdFrom = (header: unknown): string | undefined =>
  typeof header === "string" && CLIENT_REQUEST_ID.test(header) ? header : undefined;
