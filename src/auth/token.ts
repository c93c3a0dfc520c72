import { randomBytes } from "node:crypto";
import { sha256 } from "../crypto/hash";
import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import { prepared, type Db, type Queryable } from "../db/client";
import { principals, type PrincipalRow, type Role } from "../db/schema";
import { appendAudit, type Actor } from "../audit/audit.writer";

/** 256 random bits; the prefix lets secret scanners recognise a leaked token. */
const newToken = () => `snm_${randomBytes(32).toString("base64url")}`;

/** Tokens are high-entropy, so a plain SHA-256 is enough to make the stored value useless. */
export const hashToken = sha256;

export interface Principal {
  id: string;
  name: string;
  role: Role;
}

const principalByTokenHash = prepared((db) =>
  db
    .select({ id: principals.id, name: principals.name, role: principals.role })
    .from(principals)
    .where(
      and(
        eq(principals.tokenHash, sql.placeholder("hash")),
        isNull(principals.revokedAt),
        or(isNull(principals.expiresAt), gt(principals.expiresAt, sql.placeholder("now"))),
      ),
    )
    .prepare(""),
);

/** The principal a bearer token belongs to, if it is known, unexpired and unrevoked. */
export async function principalForToken(
  db: Db,
  token: string,
  now: Date,
): Promise<Principal | null> {
  const [row] = await principalByTokenHash(db, { hash: hashToken(token), now: now.toISOString() });
  return row ?? null;
}

/** Creates a principal with a fresh token; the token is returned once and only its hash is kept. */
export async function createPrincipal(
  db: Queryable,
  input: { name: string; role: Role; expiresAt?: Date | null; createdBy?: string | null },
): Promise<{ token: string; principal: PrincipalRow }> {
  const token = newToken();
  const [principal] = await db
    .insert(principals)
    .values({
      name: input.name,
      role: input.role,
      tokenHash: hashToken(token),
      expiresAt: input.expiresAt ?? null,
      createdBy: input.createdBy ?? null,
    })
    .returning();
  return { token, principal };
}

export function bearerToken(authorization: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return match ? match[1] : null;
}

/**
 * A principal issued outside a request (`npm run token`, tests): created with its issueApiToken record in
 * one transaction, as the API does it.
 */
export const issuePrincipal = (
  db: Db,
  actor: Actor,
  input: { name: string; role: Role; expiresAt?: Date | null },
) =>
  db.transaction(async (tx) => {
    const issued = await createPrincipal(tx, input);
    await appendAudit(tx, actor, [
      {
        action: "issueApiToken",
        entity: "Principal",
        entityId: issued.principal.id,
        outcome: "SUCCESS",
        input,
      },
    ]);
    return issued;
  });
