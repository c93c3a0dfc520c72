import { and, eq, gt, sql } from "drizzle-orm";
import stableStringify from "fast-json-stable-stringify";
import { sha256 } from "../../crypto/hash";
import type { Context } from "../../context";
import { boundTo } from "../../crypto/keyring";
import type { Tx } from "../../db/client";
import { idempotencyKeys } from "../../db/schema";
import { DomainError } from "../../errors";
import { isUuid } from "../../common/ids";

/** How long a key is remembered: a retry after that is a new submission (DESIGN.md section 4). */
export const IDEMPOTENCY_TTL_MS = 7 * 24 * 3600_000;

/**
 * The key id of rows stored before keyed hashes: their hash is a plain SHA-256 of the canonical input,
 * which cannot be re-keyed (the input is not kept). The colon keeps it apart from every ENCRYPTION_KEYS
 * id. Such rows still recognise a retry until they expire with the window, and are then purged.
 */
export const LEGACY_KEY_ID = "legacy:sha256";

/** Expired rows one new submission deletes: more than the one it adds, so the table shrinks to the window. */
const PURGE_BATCH = 100;

/**
 * The submission as stable JSON: keys sorted, dates as ISO strings, and an explicit null the same as an
 * absent field, so that the same form always gives the same text however a client writes it.
 */
export const canonicalSubmission = (input: object): string =>
  stableStringify(JSON.parse(JSON.stringify(input, (_key, v: unknown) => v ?? undefined)));

/** What identifies a submission: its key and its canonical text (kept only in memory, never stored). */
export interface IdempotencyClaim {
  key: string;
  request: string;
}

/** A UUID is the same key in either case: the database compares it as a uuid, so the hash must too. */
export function idempotencyClaim(input: { idempotencyKey: string }): IdempotencyClaim {
  const key = input.idempotencyKey.toLowerCase();
  return { key, request: canonicalSubmission({ ...input, idempotencyKey: key }) };
}

/**
 * The stored hash of a submission: HMAC-SHA256 under an ENCRYPTION_KEYS key, so that the table cannot be
 * used to confirm a guess of who complained or what they wrote. Null when the ring no longer holds the key.
 */
function requestHash(ctx: Context, keyId: string, scope: string, request: string): string | null {
  if (keyId === LEGACY_KEY_ID) return sha256(request);
  return ctx.keys.macWith(keyId, macInput(scope, request));
}

/** What is MACed: labelled and scoped, so that the value matches no other use of the same key. */
const macInput = (scope: string, request: string) => `idempotency\n${scope}\n${request}`;

const expiry = (ctx: Context) => new Date(ctx.now.getTime() - IDEMPOTENCY_TTL_MS);

/** A stored receipt opens only under the key it was stored for. */
export const receiptPlace = (scope: string, key: string) =>
  boundTo("idempotency_keys", "receipt_sealed", `${scope}:${key}`);

/**
 * Claims an idempotency key inside the caller's transaction. Returns null when this request owns the key;
 * otherwise the earlier receipt (same input) or IDEMPOTENCY_KEY_REUSED (different input). A concurrent
 * first request makes this one wait on the key's row until it commits or rolls back. A key older than
 * IDEMPOTENCY_TTL_MS counts as unseen: its row is taken over by this submission.
 */
export async function claimIdempotencyKey<T>(
  ctx: Context,
  tx: Tx,
  scope: string,
  { key, request }: IdempotencyClaim,
): Promise<T | null> {
  const expired = expiry(ctx);
  const { keyId, mac } = ctx.keys.mac(macInput(scope, request));
  const fresh = {
    requestHash: mac,
    keyId,
    resultId: null,
    receiptSealed: null,
    createdAt: ctx.now,
  };
  const claimed = await tx
    .insert(idempotencyKeys)
    .values({ scope, key, ...fresh })
    .onConflictDoUpdate({
      target: [idempotencyKeys.scope, idempotencyKeys.key],
      set: fresh,
      setWhere: sql`${idempotencyKeys.createdAt} <= ${expired.toISOString()}::timestamptz`,
    })
    .returning({ key: idempotencyKeys.key });
  if (claimed.length) {
    await purgeExpired(tx, expired);
    return null;
  }
  const [earlier] = await tx
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key)));
  // A hash under a key no longer in the ring cannot be checked: the submission is not known to be the same.
  if (requestHash(ctx, earlier.keyId, scope, request) !== earlier.requestHash) {
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

/**
 * Deletes expired rows, oldest first, a batch at a time. Done by each new submission, in its transaction,
 * rather than by a timer: it needs no scheduler, holds with any number of servers, and removes more rows
 * than the submission adds. SKIP LOCKED lets concurrent submissions purge different rows instead of
 * waiting on each other.
 */
async function purgeExpired(tx: Tx, expired: Date) {
  await tx.execute(sql`
    delete from ${idempotencyKeys}
    where (scope, key) in (
      select scope, key from ${idempotencyKeys}
      where created_at <= ${expired.toISOString()}::timestamptz
      order by created_at
      limit ${PURGE_BATCH}
      for update skip locked
    )`);
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

/** True when a submission under this key is stored and unexpired (a retry): checked before the rate limit. */
export async function isStoredSubmission(
  ctx: Context,
  scope: string,
  key: unknown,
): Promise<boolean> {
  if (typeof key !== "string" || !isUuid(key)) return false;
  const [stored] = await ctx.db
    .select({ key: idempotencyKeys.key })
    .from(idempotencyKeys)
    .where(
      and(
        eq(idempotencyKeys.scope, scope),
        eq(idempotencyKeys.key, key.toLowerCase()),
        gt(idempotencyKeys.createdAt, expiry(ctx)),
      ),
    );
  return Boolean(stored);
}
