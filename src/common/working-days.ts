import { addDays } from "./dates";

/** The date `count` working days after `day`: Monday to Friday, skipping the given holidays. */
export function addWorkingDays(day: string, count: number, holidays: ReadonlySet<string>): string {
  let current = day;
  let left = count;
  while (left > 0) {
    current = addDays(current, 1);
    const weekday = new Date(`${current}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && !holidays.has(current)) left--;
  }
  return current;
}
