import { randomBytes } from "node:crypto";
import type { Caller } from "./server";
import { ok } from "./server";

/** Unique codes per call, so tests sharing one PostgreSQL never collide. */
export const unique = (prefix: string) =>
  `${prefix}-${randomBytes(4).toString("hex").toUpperCase()}`;

export const unitInput = (
  overrides: Partial<{ code: string; name: string; parentCode: string }> = {},
) => ({
  code: unique("T"),
  name: "Test district police",
  parentCode: "KZ-AST",
  ...overrides,
});

export const officerInput = (overrides: Record<string, unknown> = {}) => ({
  badgeNumber: unique("B"),
  fullName: "Nurlan Bekov",
  rank: "SENIOR_LIEUTENANT",
  unitCode: "KZ-AST",
  hiredAt: "2019-08-01",
  ...overrides,
});

/** Creates a district through the API and returns its code. */
export async function createDistrict(admin: Caller, parentCode = "KZ-AST"): Promise<string> {
  const input = unitInput({ parentCode });
  ok(await admin.op("CreateUnit", { input }));
  return input.code;
}

/** Creates an officer through the API and returns what CreateOfficer returned. */
export async function createOfficer(admin: Caller, overrides: Record<string, unknown> = {}) {
  const input = officerInput(overrides);
  return ok(await admin.op("CreateOfficer", { input })).createOfficer.officer as {
    id: string;
    badgeNumber: string;
    fullName: string;
    rank: string;
    status: string;
    unit: { code: string };
  };
}
