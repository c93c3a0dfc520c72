import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

/**
 * Keys from configuration, each with an id so they can rotate: new work uses the first (active) key,
 * older values still open or verify under theirs.
 * - ENCRYPTION_KEYS wrap each complaint's and commendation's own data key (DataKey), and seal the few
 *   values that belong to no such record (AES-256-GCM, full tag, bound to table, column and row).
 *   Sealed forms are dot-separated base64url parts, safe in a text column.
 * - AUDIT_KEY keys the audit chain and signs its checkpoints (HMAC-SHA256).
 */
const TAG_BYTES = 16;

export class KeyRing {
  private readonly keys: Map<string, Buffer>;

  constructor(
    keys: { id: string; key: Buffer }[],
    readonly activeKeyId = keys[0]?.id,
  ) {
    if (!keys.length) throw new Error("KeyRing needs at least one key");
    for (const { id, key } of keys) {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(id))
        throw new Error(`encryption key id "${id}" must be 1-32 letters, digits, _ or -`);
      if (key.length !== 32)
        throw new Error(`encryption key "${id}" must be 32 bytes (base64 of 32 random bytes)`);
    }
    this.keys = new Map(keys.map(({ id, key }) => [id, key]));
    // Two keys under one id would leave values sealed with one of them unreadable.
    if (this.keys.size !== keys.length) throw new Error("encryption key ids must be unique");
    if (!this.keys.has(this.activeKeyId!))
      throw new Error("the active encryption key is not in the key ring");
  }

  /** Parses "id1:base64key,id2:base64key" (ENCRYPTION_KEYS, AUDIT_KEY), the first being the active one. */
  static parse(spec: string): KeyRing {
    const keys = spec
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [id, material] = part.split(":");
        if (!id || !material) throw new Error('must look like "id1:base64key,id2:base64key"');
        return { id, key: Buffer.from(material, "base64") };
      });
    return new KeyRing(keys);
  }

  static generateKey = () => randomBytes(32).toString("base64");

  /** HMAC-SHA256 of `data` (hex) under the active key, and that key's id. */
  mac(data: string): { keyId: string; mac: string } {
    const keyId = this.activeKeyId!;
    return { keyId, mac: this.macWith(keyId, data)! };
  }

  /** HMAC-SHA256 of `data` (hex) under the key `keyId`; null when the ring does not hold it. */
  macWith(keyId: string, data: string): string | null {
    const key = this.keys.get(keyId);
    return key ? createHmac("sha256", key).update(data).digest("hex") : null;
  }

  /**
   * Seals `plaintext` under the active key, bound to `bound` (table.column:row, see `boundTo`): the value
   * opens only where it was written, so a ciphertext copied into another row or column is refused.
   * Form: "v2.<keyId>.<iv>.<tag>.<ciphertext>".
   */
  seal(plaintext: string, bound: string): string;
  seal(plaintext: string | null | undefined, bound: string): string | null;
  seal(plaintext: string | null | undefined, bound: string): string | null {
    if (plaintext == null) return null;
    const id = this.activeKeyId!;
    return `v2.${id}.${gcmSeal(this.keys.get(id)!, plaintext, bound)}`;
  }

  open(sealed: string, bound: string): string;
  open(sealed: string | null | undefined, bound: string): string | null;
  open(sealed: string | null | undefined, bound: string): string | null {
    if (sealed == null) return null;
    const [version, id, ...parts] = sealed.split(".");
    if (version !== "v2") throw new Error(`not a bound sealed value (${version})`);
    return gcmOpen(this.key(id), parts, bound);
  }

  /** The key id a v2 value or a wrapped data key was sealed under. */
  static keyIdOf(sealed: string): string {
    return sealed.split(".")[1];
  }

  /**
   * Opens a value sealed before values were bound to their place ("v1", no associated data): only the
   * start-up migration that re-seals them (src/crypto/reseal.ts) reads this form.
   */
  openUnbound(sealed: string | null): string | null {
    if (sealed == null) return null;
    const [version, id, ...parts] = sealed.split(".");
    if (version !== "v1") throw new Error(`not an unbound sealed value (${version})`);
    return gcmOpen(this.key(id), parts, null);
  }

  /** A fresh data key for one record, and its wrapped form (sealed by the ring, bound to that record). */
  newDataKey(bound: string): { dataKey: DataKey; wrapped: string } {
    const raw = randomBytes(32);
    return { dataKey: new DataKey(raw), wrapped: this.seal(raw.toString("base64"), bound) };
  }

  unwrap(wrapped: string, bound: string): DataKey {
    return new DataKey(Buffer.from(this.open(wrapped, bound), "base64"));
  }

  private key(id: string): Buffer {
    const key = this.keys.get(id);
    if (!key) throw new Error(`cannot open a value sealed with unknown key "${id}"`);
    return key;
  }
}

/**
 * One record's own key (a complaint's or a commendation's): it seals that record's citizen text and its
 * staff notes. Destroying its wrapped form destroys them, in every backup too (eraseComplainantData).
 * Form: "d1.<iv>.<tag>.<ciphertext>".
 */
export class DataKey {
  constructor(private readonly key: Buffer) {}

  seal(plaintext: string, bound: string): string;
  seal(plaintext: string | null | undefined, bound: string): string | null;
  seal(plaintext: string | null | undefined, bound: string): string | null {
    return plaintext == null ? null : `d1.${gcmSeal(this.key, plaintext, bound)}`;
  }

  open(sealed: string, bound: string): string;
  open(sealed: string | null | undefined, bound: string): string | null;
  open(sealed: string | null | undefined, bound: string): string | null {
    if (sealed == null) return null;
    const [version, ...parts] = sealed.split(".");
    if (version !== "d1") throw new Error(`not a value sealed by a data key (${version})`);
    return gcmOpen(this.key, parts, bound);
  }
}

/** Where a sealed value lives, as its associated data: "complaints.narrative_sealed:<id>". */
export const boundTo = (table: string, column: string, rowId: string) =>
  `${table}.${column}:${rowId}`;

/** "<iv>.<tag>.<ciphertext>", base64url. */
function gcmSeal(key: Buffer, plaintext: string, bound: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(bound, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString("base64url")).join(".");
}

function gcmOpen(key: Buffer, [iv, tag, body]: string[], bound: string | null): string {
  // The full 16-byte tag, always: GCM checks only as many bytes as it is given, and a short tag is
  // forged in far fewer tries.
  const authTag = Buffer.from(tag ?? "", "base64url");
  if (authTag.length !== TAG_BYTES)
    throw new Error(`a sealed value must carry a ${TAG_BYTES}-byte authentication tag`);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv ?? "", "base64url"), {
    authTagLength: TAG_BYTES,
  });
  if (bound !== null) decipher.setAAD(Buffer.from(bound, "utf8"));
  decipher.setAuthTag(authTag);
  return Buffer.concat([
    decipher.update(Buffer.from(body ?? "", "base64url")),
    decipher.final(),
  ]).toString("utf8");
}
