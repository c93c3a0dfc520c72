import "reflect-metadata";
import type { Context } from "../src/context";
import { addMonths } from "../src/common/dates";
import { addWorkingDays } from "../src/common/working-days";
import { responseDueAt } from "../src/modules/complaint/deadline.service";

const none = new Set<string>();
// Kazakhstan's Nauryz days off in 2026 (Saturday 21 to Wednesday 25 March) and Independence Day.
const holidays2026 = new Set([
  "2026-03-21",
  "2026-03-22",
  "2026-03-23",
  "2026-03-24",
  "2026-03-25",
  "2026-12-16",
]);

describe("addWorkingDays", () => {
  it.each([
    ["a Monday", "2026-11-30", none, "2026-12-21"],
    ["a Monday, over a holiday", "2026-11-30", holidays2026, "2026-12-22"],
    ["a Friday", "2026-11-27", none, "2026-12-18"],
    ["a Saturday", "2026-11-28", none, "2026-12-18"],
    ["a Sunday, over a holiday", "2026-11-29", holidays2026, "2026-12-21"],
    ["a Monday before Nauryz", "2026-03-16", holidays2026, "2026-04-09"],
    ["the same Monday without holidays", "2026-03-16", none, "2026-04-06"],
  ])("counts 15 working days from %s", (_, from, holidays, expected) => {
    expect(addWorkingDays(from, 15, holidays)).toBe(expected);
  });

  it("crosses a year end, skipping its holidays", () => {
    expect(addWorkingDays("2026-12-30", 3, new Set(["2027-01-01", "2027-01-02"]))).toBe(
      "2027-01-05",
    );
  });

  it("never lands on a weekend or a holiday", () => {
    for (let n = 1; n <= 40; n++) {
      const day = addWorkingDays("2026-03-02", n, holidays2026);
      expect([0, 6]).not.toContain(new Date(`${day}T00:00:00Z`).getUTCDay());
      expect(holidays2026.has(day)).toBe(false);
    }
  });

  it("returns the day itself for zero working days", () => {
    expect(addWorkingDays("2026-11-28", 0, none)).toBe("2026-11-28");
  });
});

describe("responseDueAt", () => {
  const ctx = { config: { timeZone: "Asia/Almaty" } } as Context;

  it("counts from the registration's date in the service's time zone and keeps the time of day", () => {
    // Sunday 20:00 UTC is Monday 01:00 in Almaty: counted from Monday, due Monday three weeks on at 01:00.
    expect(responseDueAt(ctx, new Date("2026-11-29T20:00:00Z"), none).toISOString()).toBe(
      "2026-12-20T20:00:00.000Z",
    );
  });

  it("keeps the local time of day across a daylight-saving change", () => {
    const berlin = { config: { timeZone: "Europe/Berlin" } } as Context;
    // Thursday 15 October 10:00 CEST; due Thursday 5 November 10:00 CET, an hour later in UTC.
    expect(responseDueAt(berlin, new Date("2026-10-15T08:00:00Z"), none).toISOString()).toBe(
      "2026-11-05T09:00:00.000Z",
    );
  });

  it("moves past a public holiday in the window", () => {
    expect(responseDueAt(ctx, new Date("2026-11-30T06:15:00Z"), holidays2026).toISOString()).toBe(
      "2026-12-22T06:15:00.000Z",
    );
  });
});

describe("addMonths", () => {
  it("clamps to the end of a shorter month", () => {
    expect(addMonths(new Date("2026-12-31T10:00:00Z"), 2).toISOString()).toBe(
      "2027-02-28T10:00:00.000Z",
    );
    expect(addMonths(new Date("2027-12-31T10:00:00Z"), 2).toISOString()).toBe(
      "2028-02-29T10:00:00.000Z",
    );
  });
});
