import { sql } from "drizzle-orm";
import {
  check,
  index,
  pgTable,
  text,
  timestamp,
  uuid,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";
import type { CHANNELS } from "./complaint";

export const ROLES = [
  "INVESTIGATOR",
  "SUPERVISOR",
  "HR",
  "ANALYST",
  "AUDITOR",
  "ADMIN",
  "INTAKE",
] as const;
export type Role = (typeof ROLES)[number];

/** Roles that read case material: issued through the API, their tokens wait for a supervisor's approval. */
export const APPROVED_ROLES: readonly Role[] = ["INVESTIGATOR", "SUPERVISOR", "AUDITOR"];

/** A caller of the API; each principal holds one token, kept only as its SHA-256 hash. */
export const principals = pgTable(
  "principals",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    role: text({ enum: ROLES }).notNull(),
    tokenHash: text().notNull().unique(),
    /** Every token expires: 90 days after issue unless asked otherwise, 365 at most. */
    expiresAt: timestamp({ withTimezone: true }).notNull(),
    revokedAt: timestamp({ withTimezone: true }),
    /** When the token started to work; null while it waits for a supervisor's approval (PENDING). */
    activatedAt: timestamp({ withTimezone: true }),
    /** The SUPERVISOR who approved it (then `activatedAt` is when); null for tokens active at issue. */
    approvedBy: uuid().references((): AnyPgColumn => principals.id),
    /** INTAKE only: the one channel its submissions may name. */
    channel: text().$type<(typeof CHANNELS)[number]>(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid(),
  },
  (t) => [
    index("principals_role_idx").on(t.role),
    check("principals_channel_check", sql`(${t.role} = 'INTAKE') = (${t.channel} is not null)`),
  ],
);

export type PrincipalRow = typeof principals.$inferSelect;
