import { and, eq, gt, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { rateLimitWindows } from "../db/schema";

/** Buckets counted in memory (hitHere) at most: a few megabytes. */
const MAX_HERE = 100_000;

/** Which limit refused a call: a client address's, an INTAKE token's, or a tracking number's. */
export type RefusingLimit = "address" | "token" | "tracking_number";

export interface Verdict {
  allowed: boolean;
  /** Seconds until the bucket's window ends (at least 1). */
  retryAfterSeconds: number;
}

/** The two statements every limited call runs, prepared once. */
function prepare(db: Db, windowSeconds: number) {
  const live = sql`${rateLimitWindows.expiresAt} > now()`;
  // A bucket past its window starts a new one at this hit.
  const hit = db
    .insert(rateLimitWindows)
    .values({
      bucket: sql.placeholder("bucket"),
      hits: 1,
      expiresAt: sql`now() + make_interval(secs => ${sql.raw(String(windowSeconds))})`,
    })
    .onConflictDoUpdate({
      target: rateLimitWindows.bucket,
      set: {
        hits: sql`case when ${live} then ${rateLimitWindows.hits} + 1 else 1 end`,
        expiresAt: sql`case when ${live} then ${rateLimitWindows.expiresAt} else excluded.expires_at end`,
      },
    })
    .returning({
      hits: rateLimitWindows.hits,
      retryAfterSeconds: sql<number>`greatest(1, ceil(extract(epoch from ${rateLimitWindows.expiresAt} - now())))::int`,
    })
    .prepare("rate_limit_hit");
  const giveBack = db
    .update(rateLimitWindows)
    .set({ hits: sql`${rateLimitWindows.hits} - 1` })
    .where(
      and(
        eq(rateLimitWindows.bucket, sql.placeholder("bucket")),
        gt(rateLimitWindows.hits, 0),
        live,
      ),
    )
    .prepare("rate_limit_give_back");
  return { hit, giveBack };
}

/**
 * Counters in PostgreSQL (or PGlite), so that every server process counts against the same windows.
 * Time is the database's, so processes with drifting clocks still agree on when a window ends.
 */
export class RateLimiter {
  private lastSweep = Date.now();
  private readonly here = new Map<string, { hits: number; ends: number }>();
  private readonly statements: ReturnType<typeof prepare>;

  constructor(
    private readonly db: Db,
    private readonly windowSeconds: number,
    /** Told of every refusal, for the metrics: which operation, and which limit refused it. */
    readonly onRefusal: (operation: string, limit: RefusingLimit) => void = () => {},
  ) {
    this.statements = prepare(db, windowSeconds);
  }

  /** Counts one hit, in one statement. Over `limit` it is refused; refused hits count too, which changes nothing once over. */
  async hit(bucket: string, limit: number): Promise<Verdict> {
    await this.sweepNowAndThen();
    const [row] = await this.statements.hit.execute({ bucket });
    return { allowed: row.hits <= limit, retryAfterSeconds: Number(row.retryAfterSeconds) };
  }

  /**
   * Counts one hit in this process's memory, for reads of published figures: a database write per read
   * would cost more than the read (one row, contended by every request from one address, halved their
   * rate). Each replica then allows `limit` per window, which is what each replica's CPU can give.
   */
  hitHere(bucket: string, limit: number): Verdict {
    const now = Date.now();
    if (this.here.size >= MAX_HERE) {
      for (const [key, window] of this.here) if (window.ends <= now) this.here.delete(key);
      // Still full: the oldest windows go first (a flood from many addresses, each of them new).
      for (const key of this.here.keys()) {
        if (this.here.size < MAX_HERE) break;
        this.here.delete(key);
      }
    }
    let window = this.here.get(bucket);
    if (!window || window.ends <= now) {
      window = { hits: 0, ends: now + this.windowSeconds * 1000 };
      this.here.delete(bucket);
      this.here.set(bucket, window);
    }
    window.hits++;
    return {
      allowed: window.hits <= limit,
      retryAfterSeconds: Math.max(1, Math.ceil((window.ends - now) / 1000)),
    };
  }

  /** Takes back one hit of the bucket's current window (an attempt that turned out not to count). */
  async giveBack(bucket: string): Promise<void> {
    await this.statements.giveBack.execute({ bucket });
  }

  /** Once a window length, deletes the windows that have ended; rows of idle buckets would pile up otherwise. */
  private async sweepNowAndThen(): Promise<void> {
    if (Date.now() - this.lastSweep < this.windowSeconds * 1000) return;
    this.lastSweep = Date.now();
    await this.db.delete(rateLimitWindows).where(lt(rateLimitWindows.expiresAt, sql`now()`));
  }
}
