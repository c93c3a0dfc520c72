const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** IDs are UUIDs; anything else cannot name a record, and must not reach a uuid column as a SQL error. */
export const isUuid = (value: string) => UUID.test(value);
