import { and, eq, sql } from "drizzle-orm";
import type { Context } from "../../context";
import { rows, type Tx } from "../../db/client";
import { trackingCounters } from "../../db/schema";
import { todayIn } from "../../common/clock";

const formatNumber = (prefix: string, year: number, n: number) =>
  `${prefix}-${year}-${String(n).padStart(6, "0")}`;

/** Next number in the year's sequence; the counter row stays locked until commit, so numbers never repeat or skip. */
async function takeNumber(tx: Tx, prefix: string, year: number): Promise<number> {
  const [{ last }] = await tx
    .insert(trackingCounters)
    .values({ scope: prefix, year, last: 1 })
    .onConflictDoUpdate({
      target: [trackingCounters.scope, trackingCounters.year],
      set: { last: sql`${trackingCounters.last} + 1` },
    })
    .returning({ last: trackingCounters.last });
  return last;
}

/**
 * The next tracking number and the registration time, both taken under the year's counter lock (held until
 * commit) and from the database's clock: whichever process registers, a later number never has an earlier time.
 */
export async function registerNumber(
  ctx: Context,
  tx: Tx,
  prefix: string,
): Promise<{ trackingNumber: string; registeredAt: Date }> {
  const timeZone = ctx.config.timeZone;
  let year = Number(ctx.today.slice(0, 4));
  for (;;) {
    const n = await takeNumber(tx, prefix, year);
    const [{ ms }] = await rows<{ ms: number | string }>(
      tx,
      sql`select floor(extract(epoch from clock_timestamp()) * 1000)::float8 as ms`,
    );
    const registeredAt = new Date(Number(ms));
    const registeredYear = Number(todayIn(timeZone, registeredAt).slice(0, 4));
    if (registeredYear === year)
      return { trackingNumber: formatNumber(prefix, year, n), registeredAt };
    // The year turned while this request waited for the lock: hand the number back, take the new year's.
    await tx
      .update(trackingCounters)
      .set({ last: sql`${trackingCounters.last} - 1` })
      .where(and(eq(trackingCounters.scope, prefix), eq(trackingCounters.year, year)));
    year = registeredYear;
  }
}
