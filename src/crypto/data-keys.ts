import { boundTo, KeyRing, type DataKey } from "./keyring";

/**
 * The columns sealed by a record's data key, by table, as their associated data names them. A complaint's
 * key also seals its allegations' and timeline's text; a commendation's seals its own.
 */
export const SEALED = {
  complaints: [
    "narrative_sealed",
    "complainant_name_sealed",
    "complainant_email_sealed",
    "complainant_phone_sealed",
    "feedback_comment_sealed",
    "incident_place",
  ],
  allegations: ["description"],
  complaint_events: ["note"],
  commendations: [
    "narrative_sealed",
    "submitter_name_sealed",
    "submitter_email_sealed",
    "submitter_phone_sealed",
    "officer_description",
    "review_note",
  ],
} as const;

export type SealedTable = keyof typeof SEALED;
export type SealedColumn<T extends SealedTable> = (typeof SEALED)[T][number];
/** The records that own a data key. */
export type KeyOwner = "complaints" | "commendations";

export interface RowSeal<T extends SealedTable> {
  (column: SealedColumn<T>, value: string): string;
  (column: SealedColumn<T>, value: string | null | undefined): string | null;
}

/** One record's data key with the seal and open of its columns: the place is always table.column:row. */
export class RecordKey {
  constructor(private readonly key: DataKey) {}

  seal<T extends SealedTable>(
    table: T,
    column: SealedColumn<T>,
    rowId: string,
    value: string,
  ): string;
  seal<T extends SealedTable>(
    table: T,
    column: SealedColumn<T>,
    rowId: string,
    value: string | null | undefined,
  ): string | null;
  seal<T extends SealedTable>(
    table: T,
    column: SealedColumn<T>,
    rowId: string,
    value: string | null | undefined,
  ): string | null {
    return this.key.seal(value, boundTo(table, column, rowId));
  }

  /** The seal of one row's columns. */
  sealerFor<T extends SealedTable>(table: T, rowId: string): RowSeal<T> {
    return ((column: SealedColumn<T>, value: string | null | undefined) =>
      this.seal(table, column, rowId, value)) as RowSeal<T>;
  }

  open<T extends SealedTable>(
    table: T,
    column: SealedColumn<T>,
    rowId: string,
    sealed: string | null | undefined,
  ): string | null {
    return this.key.open(sealed, boundTo(table, column, rowId));
  }
}

const keyPlace = (owner: KeyOwner, id: string) => boundTo(owner, "data_key", id);

/** A new record's data key and its wrapped form, to store in the record's `data_key`. */
export function newRecordKey(ring: KeyRing, owner: KeyOwner, id: string) {
  const { dataKey, wrapped } = ring.newDataKey(keyPlace(owner, id));
  return { key: new RecordKey(dataKey), wrapped };
}

export const unwrapRecordKey = (ring: KeyRing, owner: KeyOwner, id: string, wrapped: string) =>
  new RecordKey(ring.unwrap(wrapped, keyPlace(owner, id)));

/** The wrapped key re-sealed under the ring's active key; null when it already is (npm run keys:rotate). */
export function rewrapRecordKey(
  ring: KeyRing,
  owner: KeyOwner,
  id: string,
  wrapped: string,
): string | null {
  if (KeyRing.keyIdOf(wrapped) === ring.activeKeyId) return null;
  const place = keyPlace(owner, id);
  return ring.seal(ring.open(wrapped, place), place);
}

/**
 * A request's unwrapped data keys, each unwrapped once however many of its record's fields are read.
 * Created per request with the loaders, so no key outlives the request that needed it.
 */
export class RecordKeys {
  private readonly cache = new Map<string, RecordKey>();

  constructor(private readonly ring: KeyRing) {}

  of(owner: KeyOwner, record: { id: string; dataKey: string | null }): RecordKey {
    // Every record has one once start-up has sealed older records (src/crypto/reseal.ts).
    if (!record.dataKey) throw new Error(`${owner} ${record.id} has no data key yet`);
    // The wrapped form is part of the name: erasure gives a record a new key within a request.
    const cacheKey = `${owner}:${record.id}:${record.dataKey}`;
    let key = this.cache.get(cacheKey);
    if (!key) {
      key = unwrapRecordKey(this.ring, owner, record.id, record.dataKey);
      this.cache.set(cacheKey, key);
    }
    return key;
  }
}
