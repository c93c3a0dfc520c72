import { createHash } from "node:crypto";

/** SHA-256 of UTF-8 text, as hex. */
export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
