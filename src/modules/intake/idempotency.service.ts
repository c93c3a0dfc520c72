import { sha256 } from "../../crypto/hash";
import { and, eq } from "drizzle-orm";
import type { Context } from "../../context";
import { boundTo } from "../../crypto/keyring";
import type { Tx } from "../../db/client";
import { idempotencyKeys } from "../../db/schema";
import { DomainError } from "../../errors";
import { isUuid } from "../../common/ids";

/** Stable JSON: keys sorted, so that the same input always hashes the same. */
function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined && v !== null);
    return `{${entries
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** What identifies a submission: its key and a hash of everything it says. */
export interface IdempotencyClaim {
  key: string;
  requestHash: string;
}

/** A UUID is the same key in either case: the database compares it as a uuid, so the hash must too. */
export function idempotencyClaim(input: { idempotencyKey: string }): IdempotencyClaim {
  const key = input.idempotencyKey.toLowerCase();
  return { key, requestHash: sha256(canonicalJson({ ...input, idempotencyKey: key })) };
}

/**
 * Claims an idempotency key inside the caller's transaction. Returns null when this request owns the key;
 * otherwise the earlier receipt (same input) or IDEMPOTENCY_KEY_REUSED (different input). A concurrent
 * first request makes this one wait on the key's row until it commits or rolls back.
 */
/** A stored receipt opens only under the key it was stored for. */
export const receiptPlace = (scope: string, key: string) =>
  boundTo("idempotency_keys", "receipt_sealed", `${scope}:${key}`);

export async function claimIdempotencyKey<T>(
  ctx: Context,
  tx: Tx,
  scope: string,
  { key, requestHash }: IdempotencyClaim,
): Promise<T | null> {
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({ scope, key, requestHash })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length) return null;
  const [earlier] = await tx
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  if (earlier.requestHash !== requestHash) {
    throw new DomainError(
      "IDEMPOTENCY_KEY_REUSED",
      "This idempotencyKey was already used for a different submission",
      { field: "input.idempotencyKey" },
    );
  }
  return JSON.parse(ctx.keys.open(earlier.receiptSealed!, receiptPlace(scope, key)), (k, v) =>
    k.endsWith("At") ? new Date(v) : v,
  ) as T;
}

export async function recordIdempotentResult(
  ctx: Context,
  tx: Tx,
  scope: string,
  key: string,
  resultId: string,
  receipt: object,
) {
  await tx
    .update(idempotencyKeys)
    .set({
      resultId,
      receiptSealed: ctx.keys.seal(JSON.stringify(receipt), receiptPlace(scope, key)),
    })
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
}

/** True when a submission under this key is already stored (a retry): checked before the rate limit. */
export async function isStoredSubmission(
  ctx: Context,
  scope: string,
  key: unknown,
): Promise<boolean> {
  if (typeof key !== "string" || !isUuid(key)) return false;
  const [stored] = await ctx.db
    .select({ key: idempotencyKeys.key })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key.toLowerCase())));
  return Boolean(stored);
}
