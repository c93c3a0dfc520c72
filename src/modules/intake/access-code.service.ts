import { randomBytes } from "node:crypto";
import { sha256 } from "../../crypto/hash";

/** 16 characters of Crockford base32 = 80 random bits, easy to read out over the phone. */
export function newAccessCode(): string {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  const bytes = randomBytes(16);
  let code = "";
  for (let i = 0; i < 16; i++) code += alphabet[bytes[i] & 31];
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}-${code.slice(12)}`;
}

/** Codes are compared on their letters only, so "abcd efgh" and "ABCD-EFGH" are the same code. */
export const hashAccessCode = (code: string) =>
  sha256(code.toUpperCase().replace(/[^0-9A-Z]/g, ""));
