/** Calendar arithmetic on YYYY-MM-DD strings, in UTC so no zone can shift a day. */
export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * Calendar months later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb), in UTC: an instant
 * keeps its time of day, a YYYY-MM-DD date stays one.
 */
export function addMonths(at: Date, months: number): Date;
export function addMonths(day: string, months: number): string;
export function addMonths(at: Date | string, months: number): Date | string {
  const result = new Date(typeof at === "string" ? `${at}T00:00:00Z` : at);
  const day = result.getUTCDate();
  result.setUTCDate(1);
  result.setUTCMonth(result.getUTCMonth() + months);
  const last = new Date(
    Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0),
  ).getUTCDate();
  result.setUTCDate(Math.min(day, last));
  return typeof at === "string" ? result.toISOString().slice(0, 10) : result;
}
