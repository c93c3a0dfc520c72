import fc from "fast-check";
import { inArray } from "drizzle-orm";
import { auditLog, type Role } from "../../src/db/schema";
import { traced, type TracedResult } from "./audit";
import { contractOperation } from "./contract";
import { ok, type TestServer } from "./server";

/** Who sends a request: a role's token, or nobody. */
export type Who = Role | "PUBLIC";

/**
 * fast-check settings for a property over the real server: a fixed seed, so that CI runs the same
 * cases every time (FC_SEED picks another), and a bounded number of runs (FC_RUNS raises it).
 */
export function propertySettings(defaults: { seed: number; numRuns: number }) {
  const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : defaults.seed;
  const numRuns = process.env.FC_RUNS ? Number(process.env.FC_RUNS) : defaults.numRuns;
  if (!Number.isInteger(seed) || !Number.isInteger(numRuns) || numRuns < 1) {
    throw new Error("FC_SEED and FC_RUNS must be integers");
  }
  return { seed, numRuns };
}

/** fc.assert, with the seed and the command that replays the failure at the top of its message. */
export async function assertProperty<T>(
  property: fc.IAsyncPropertyWithHooks<T>,
  settings: { seed: number; numRuns: number },
  file: string,
): Promise<void> {
  try {
    await fc.assert(property, settings);
  } catch (e) {
    const replay = `FC_SEED=${settings.seed} FC_RUNS=${settings.numRuns} NODE_OPTIONS=--experimental-vm-modules npx jest ${file}`;
    throw new Error(
      `Property failed (seed ${settings.seed}); replay with: ${replay}\n${(e as Error).message}`,
      { cause: e },
    );
  }
}

/** What a request must leave in the audit log: one record of its root field, or nothing. */
export type AuditExpectation = {
  action: string;
  outcome: "SUCCESS" | "DENIED";
  entityId?: string;
} | null;

/** A failure the model predicts: the code, and for BAD_USER_INPUT the field (any of `fields`). */
export interface Refusal {
  code: string;
  fields?: string[];
}

/** The contract operation's root field: "AssignComplaint" is sent as assignComplaint. */
export const rootField = (operation: string) => operation[0].toLowerCase() + operation.slice(1);

/**
 * Sends contract operations with a request id each and remembers what each must have audited, so
 * that the audit log can be compared request by request, even on a PostgreSQL shared with other files.
 */
export class AuditLedger {
  private readonly expected = new Map<string, AuditExpectation>();
  private readonly tokens = new Map<Who, string | null>();
  requests = 0;

  constructor(private readonly t: TestServer) {}

  async send(
    who: Who,
    operation: string,
    variables: Record<string, unknown>,
  ): Promise<TracedResult> {
    if (!this.tokens.has(who))
      this.tokens.set(who, who === "PUBLIC" ? null : (await this.t.as(who)).token);
    this.requests++;
    return traced(this.t.url, this.tokens.get(who)!, contractOperation(operation), variables);
  }

  expect(requestId: string, expectation: AuditExpectation) {
    this.expected.set(requestId, expectation);
  }

  /** Every request sent since the last check wrote exactly the audit record expected of it. */
  async check(): Promise<void> {
    const ids = [...this.expected.keys()];
    if (!ids.length) return;
    const written = await this.t.database.db
      .select({
        requestId: auditLog.requestId,
        action: auditLog.action,
        outcome: auditLog.outcome,
        entityId: auditLog.entityId,
      })
      .from(auditLog)
      .where(inArray(auditLog.requestId, ids));
    const actual = ids.map((id) =>
      written
        .filter((w) => w.requestId === id)
        .map(({ action, outcome, entityId }) => ({ action, outcome, entityId })),
    );
    const wanted = ids.map((id) => {
      const e = this.expected.get(id)!;
      return e ? [{ action: e.action, outcome: e.outcome, entityId: e.entityId ?? null }] : [];
    });
    expect(actual).toEqual(wanted);
    this.expected.clear();
  }

  /** The whole chain verifies (AUDITOR's verifyAuditChain). */
  async verifyChain(): Promise<{ ok: boolean; checked: number }> {
    return ok(await (await this.t.as("AUDITOR")).op("VerifyAuditChain")).verifyAuditChain;
  }
}

/**
 * Does a result match the model's prediction: success, or errors all with this code (and one of these
 * fields)? Only variables that fail coercion give several errors (one per field); anything else gives one.
 */
export function matches(result: TracedResult, expected: Refusal | "OK"): boolean {
  if (expected === "OK") return !result.errors?.length && result.data != null;
  const errors = result.errors ?? [];
  if (errors.length === 0 || (errors.length > 1 && expected.code !== "BAD_USER_INPUT"))
    return false;
  return errors.every(
    ({ extensions: { code, field } }) =>
      code === expected.code &&
      (expected.fields ? expected.fields.includes(field as string) : field === undefined),
  );
}

export const describeResult = (r: TracedResult) =>
  r.errors?.length ? JSON.stringify(r.errors.map((e) => e.extensions)) : "OK";
