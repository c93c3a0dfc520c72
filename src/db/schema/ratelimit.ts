import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Rate-limit windows shared by every server process: one row per bucket ("submitComplaint|203.0.113.5",
 * "access|SNM-2025-000123"), counting hits until `expiresAt`; the first hit after that starts a new window.
 * Rows past their window are deleted from time to time (src/ratelimit/rate-limiter.ts).
 */
export const rateLimitWindows = pgTable(
  "rate_limit_windows",
  {
    bucket: text().primaryKey(),
    hits: integer().notNull(),
    expiresAt: timestamp({ withTimezone: true }).notNull(),
  },
  (t) => [index("rate_limit_windows_expires_at_idx").on(t.expiresAt)],
);
