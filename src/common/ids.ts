import { randomUUID } from "node:crypto";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** What a client may send as X-Request-Id: safe to log and to echo in a header. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

/** IDs are UUIDs; anything else cannot name a record, and must not reach a uuid column as a SQL error. */
export const isUuid = (value: string) => UUID.test(value);

/** The client's request id when it is well-formed, else a fresh one. */
export const requestIdFrom = (header: unknown): string =>
  typeof header === "string" && REQUEST_ID.test(header) ? header : randomUUID();
