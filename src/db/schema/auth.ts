import { index, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const ROLES = ["INVESTIGATOR", "SUPERVISOR", "HR", "ANALYST", "AUDITOR", "ADMIN"] as const;
export type Role = (typeof ROLES)[number];

/** A caller of the API; each principal holds one token, kept only as its SHA-256 hash. */
export const principals = pgTable(
  "principals",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    role: text({ enum: ROLES }).notNull(),
    tokenHash: text().notNull().unique(),
    expiresAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdBy: uuid(),
  },
  (t) => [index("principals_role_idx").on(t.role)],
);

export type PrincipalRow = typeof principals.$inferSelect;
