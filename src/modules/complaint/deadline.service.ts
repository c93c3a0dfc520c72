import type { Context } from "../../context";
import type { Queryable } from "../../db/client";
import { publicHolidays, type ComplaintRow } from "../../db/schema";
import { addWorkingDays } from "../../common/working-days";
import { dateFormat, todayIn } from "../../common/clock";

/** Deadline: 15 working days (DESIGN.md). */
export const RESPONSE_WORKING_DAYS = 15;

const holidayCache = new WeakMap<object, Promise<Set<string>>>();

/** Public holidays, read once per database: they change only by migration. */
export function holidays(db: Queryable): Promise<Set<string>> {
  let cached = holidayCache.get(db);
  if (!cached) {
    cached = db
      .select({ day: publicHolidays.day })
      .from(publicHolidays)
      .then((rows) => new Set(rows.map((r) => r.day)));
    holidayCache.set(db, cached);
    // A read that failed (the database was down) is not kept: the next submission reads again.
    cached.catch(() => holidayCache.delete(db));
  }
  return cached;
}

/** How far the zone's wall clock is ahead of UTC at this instant. */
function zoneOffsetMs(timeZone: string, at: Date): number {
  const parts = Object.fromEntries(
    dateFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    })
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  );
  const wall = Date.UTC(
    parts.year,
    parts.month - 1,
    parts.day,
    parts.hour,
    parts.minute,
    parts.second,
  );
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/** Same local time of day, 15 working days later (in the service's time zone, across any clock change). */
export function responseDueAt(
  ctx: Context,
  registeredAt: Date,
  holidays: ReadonlySet<string>,
): Date {
  const timeZone = ctx.config.timeZone;
  const day = todayIn(timeZone, registeredAt);
  const due = addWorkingDays(day, RESPONSE_WORKING_DAYS, holidays);
  const days = (Date.parse(`${due}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / 86_400_000;
  const naive = new Date(registeredAt.getTime() + days * 86_400_000);
  return new Date(
    naive.getTime() + zoneOffsetMs(timeZone, registeredAt) - zoneOffsetMs(timeZone, naive),
  );
}

export function deadlineInForce(c: Pick<ComplaintRow, "responseDueAt" | "extendedTo">): Date {
  return c.extendedTo ?? c.responseDueAt;
}
