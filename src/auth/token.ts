import { randomBytes } from "node:crypto";
import { sha256 } from "../crypto/hash";
import { and, eq, gt, isNotNull, isNull, sql } from "drizzle-orm";
import { prepared, type Db, type Queryable } from "../db/client";
import { principals, type PrincipalRow, type Role } from "../db/schema";
import { appendAudit, type Actor } from "../audit/audit.writer";

/** 256 random bits; the prefix lets secret scanners recognise a leaked token. */
const newToken = () => `snm_${randomBytes(32).toString("base64url")}`;

/** Tokens are high-entropy, so a plain SHA-256 is enough to make the stored value useless. */
export const hashToken = sha256;

/** What a request knows of its caller, and what `Principal` shows of anyone. */
export type Principal = Pick<
  PrincipalRow,
  "id" | "name" | "role" | "expiresAt" | "revokedAt" | "activatedAt" | "channel"
>;

/** The columns of `Principal`, for every read of one. */
export const principalColumns = {
  id: principals.id,
  name: principals.name,
  role: principals.role,
  expiresAt: principals.expiresAt,
  revokedAt: principals.revokedAt,
  activatedAt: principals.activatedAt,
  channel: principals.channel,
};

export const PRINCIPAL_STATUSES = ["ACTIVE", "PENDING", "REVOKED", "EXPIRED"] as const;
export type PrincipalStatus = (typeof PRINCIPAL_STATUSES)[number];

/** Revoked and expired are final, whatever else holds; only an ACTIVE principal's token works. */
export function principalStatus(principal: Principal, now: Date): PrincipalStatus {
  if (principal.revokedAt) return "REVOKED";
  if (principal.expiresAt <= now) return "EXPIRED";
  return principal.activatedAt ? "ACTIVE" : "PENDING";
}

const DAY_MS = 86_400_000;
/** A token's lifetime when none is asked for, and the longest one may have (DESIGN.md section 1). */
export const TOKEN_DEFAULT_DAYS = 90;
export const TOKEN_MAX_DAYS = 365;

export const defaultExpiry = (now: Date) => new Date(now.getTime() + TOKEN_DEFAULT_DAYS * DAY_MS);

/** Why a requested expiry is refused, or null: it must be in the future and at most 365 days ahead. */
export function expiryProblem(expiresAt: Date, now: Date): string | null {
  if (Number.isNaN(expiresAt.getTime()) || expiresAt <= now)
    return "expiresAt must be in the future";
  if (expiresAt.getTime() > now.getTime() + TOKEN_MAX_DAYS * DAY_MS)
    return `expiresAt must be at most ${TOKEN_MAX_DAYS} days ahead`;
  return null;
}

/** Why a channel binding is refused for this role, or null: INTAKE tokens speak for exactly one channel. */
export function channelProblem(role: Role, channel: string | null | undefined): string | null {
  if (role === "INTAKE" && !channel) return "an INTAKE token needs the channel it submits as";
  if (role !== "INTAKE" && channel) return "only an INTAKE token is bound to a channel";
  return null;
}

const principalByTokenHash = prepared((db) =>
  db
    .select(principalColumns)
    .from(principals)
    .where(
      and(
        eq(principals.tokenHash, sql.placeholder("hash")),
        isNull(principals.revokedAt),
        isNotNull(principals.activatedAt),
        gt(principals.expiresAt, sql.placeholder("now")),
      ),
    )
    .prepare(""),
);

/** The principal a bearer token belongs to, if it is known, approved, unexpired and unrevoked. */
export async function principalForToken(
  db: Db,
  token: string,
  now: Date,
): Promise<Principal | null> {
  const [row] = await principalByTokenHash(db, { hash: hashToken(token), now: now.toISOString() });
  return row ?? null;
}

export interface NewPrincipal {
  name: string;
  role: Role;
  /** Absent: 90 days from now. Not checked here: callers taking it from outside use `expiryProblem`. */
  expiresAt?: Date | null;
  /** INTAKE only (`channelProblem`). */
  channel?: PrincipalRow["channel"];
  createdBy?: string | null;
  /** Made PENDING: its token works only once a supervisor approves it. */
  pending?: boolean;
}

/** Creates a principal with a fresh token; the token is returned once and only its hash is kept. */
export async function createPrincipal(
  db: Queryable,
  input: NewPrincipal,
  now = new Date(),
): Promise<{ token: string; principal: PrincipalRow }> {
  const token = newToken();
  const [principal] = await db
    .insert(principals)
    .values({
      name: input.name,
      role: input.role,
      tokenHash: hashToken(token),
      expiresAt: input.expiresAt ?? defaultExpiry(now),
      activatedAt: input.pending ? null : now,
      channel: input.channel ?? null,
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
 * one transaction, as the API does it. Active at once, whatever the role: whoever runs this holds the
 * database already.
 */
export const issuePrincipal = (
  db: Db,
  actor: Actor,
  input: Omit<NewPrincipal, "createdBy" | "pending">,
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
