import { sql } from "drizzle-orm";
import { appendAudit } from "../audit/audit.writer";
import type { Db } from "../db/client";
import type { KeyRing } from "../crypto/keyring";
import type { Logger } from "../logger";
import { principals, type PrincipalRow } from "../db/schema";
import { createPrincipal } from "./token";

/** Serialises the first-start check across server processes starting together on one empty database. */
const FIRST_ADMIN_LOCK = 7_356_010;

export const FIRST_ADMIN_NAME = "First admin";
const DAY_MS = 24 * 3600_000;

/**
 * On a database with no principal at all, creates an ADMIN principal and returns its token (once);
 * otherwise null. Audited as `npm run token` is, in the same transaction.
 */
export async function createFirstAdmin(
  db: Db,
  expiresAt: Date,
  auditKeys: KeyRing,
): Promise<{ token: string; principal: PrincipalRow } | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`);
    const [existing] = await tx.select({ id: principals.id }).from(principals).limit(1);
    if (existing) return null;
    const issued = await createPrincipal(tx, { role: "ADMIN", name: FIRST_ADMIN_NAME, expiresAt });
    await appendAudit(tx, { principal: null, requestId: `first-start-${process.pid}`, auditKeys }, [
      {
        action: "issueApiToken",
        entity: "Principal",
        entityId: issued.principal.id,
        outcome: "SUCCESS",
        input: { role: "ADMIN", name: FIRST_ADMIN_NAME, expiresAt },
      },
    ]);
    return issued;
  });
}

/**
 * The first start's ADMIN token goes to stderr, for the operator at the terminal, and never into the
 * JSON log on stdout, which is shipped, indexed and kept. In production it expires after a day, so a copy
 * that lands in a log archive anyway is soon worthless; the operator issues a lasting one with it.
 */
export async function announceFirstAdmin(
  db: Db,
  env: "development" | "test" | "production",
  auditKeys: KeyRing,
  log: Logger,
): Promise<void> {
  const lifetimeMs = env === "production" ? DAY_MS : 90 * DAY_MS;
  const expiresAt = new Date(Date.now() + lifetimeMs);
  const issued = await createFirstAdmin(db, expiresAt, auditKeys);
  if (!issued) return;
  log.warn(
    { principalId: issued.principal.id, role: "ADMIN", expiresAt: expiresAt.toISOString() },
    "first start: no principal existed, so an ADMIN principal was created; its one-time token is on stderr",
  );
  process.stderr.write(
    [
      "",
      `First start: created the ADMIN principal "${FIRST_ADMIN_NAME}". Its token, shown only this once:`,
      "",
      `    ${issued.token}`,
      "",
      "Send it as the header `Authorization: Bearer <token>` to /graphql. It will not be shown again",
      `(only its hash is kept) and it expires at ${expiresAt.toISOString()}. Use it to issue your own tokens`,
      "(issueApiToken), then revoke this one (revokeApiToken).",
      "",
      "",
    ].join("\n"),
  );
}
