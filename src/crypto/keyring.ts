import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";

/**
 * Keys from configuration, each with an id so they can rotate: new work uses the first (active) key,
 * older values still open or verify under theirs.
 * - ENCRYPTION_KEYS seal personal data (AES-256-GCM). Sealed form: "v1.<keyId>.<iv>.<tag>.<ciphertext>",
 *   base64url parts, safe in a text column.
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

  seal(plaintext: string): string;
  seal(plaintext: string | null | undefined): string | null;
  seal(plaintext: string | null | undefined): string | null {
    if (plaintext == null) return null;
    const id = this.activeKeyId!;
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.keys.get(id)!, iv);
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [
      "v1",
      id,
      iv.toString("base64url"),
      cipher.getAuthTag().toString("base64url"),
      body.toString("base64url"),
    ].join(".");
  }

  open(sealed: string): string;
  open(sealed: string | null | undefined): string | null;
  open(sealed: string | null | undefined): string | null {
    if (sealed == null) return null;
    const [version, id, iv, tag, body] = sealed.split(".");
    const key = this.keys.get(id);
    if (version !== "v1" || !key)
      throw new Error(`cannot open a value sealed with unknown key "${id}"`);
    // The full 16-byte tag, always: GCM checks only as many bytes as it is given, and a short tag is
    // forged in far fewer tries.
    const authTag = Buffer.from(tag ?? "", "base64url");
    if (authTag.length !== TAG_BYTES)
      throw new Error(`a sealed value must carry a ${TAG_BYTES}-byte authentication tag`);
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(authTag);
    return Buffer.concat([
      decipher.update(Buffer.from(body, "base64url")),
      decipher.final(),
    ]).toString("utf8");
  }
}
