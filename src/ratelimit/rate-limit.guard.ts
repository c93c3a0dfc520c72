import { HeaderMap } from "@apollo/server";
import { defaultFieldResolver, type GraphQLField, type GraphQLSchema } from "graphql";
import { RATE_LIMITED_OPERATIONS, type RateLimitedOperation } from "../config";
import type { Context } from "../context";
import { DomainError } from "../errors";
import type { RefusingLimit, Verdict } from "./rate-limiter";
import { addressKey } from "./client-address";
import { isStoredSubmission } from "../modules/intake/idempotency.service";

/** Where each operation carries the tracking number whose access code it tries. */
const TRACKING_NUMBER: Partial<
  Record<RateLimitedOperation, (args: Record<string, any>) => unknown>
> = {
  complaintStatus: (args) => args.trackingNumber,
  submitComplaintFeedback: (args) => args.input?.trackingNumber,
};

function refuse(ctx: Context, operation: string, limit: RefusingLimit, verdict: Verdict): never {
  ctx.rateLimiter.onRefusal(operation, limit);
  const seconds = verdict.retryAfterSeconds;
  throw new DomainError("RATE_LIMITED", `Too many requests; try again in ${seconds} seconds`, {
    retryAfterSeconds: seconds,
    http: { status: 429, headers: new HeaderMap([["retry-after", String(seconds)]]) },
  });
}

/** Reads of published figures, counted in each process's memory (RateLimiter.hitHere); submissions in the database. */
const COUNTED_HERE: ReadonlySet<RateLimitedOperation> = new Set([
  "trustMetrics",
  "trustMetricsSeries",
]);

/** The submissions whose idempotency key may already be stored, and under which scope. */
const IDEMPOTENT: Partial<Record<RateLimitedOperation, string>> = {
  submitComplaint: "complaint",
  submitCommendation: "commendation",
};

/**
 * Per client address, or per token for an INTAKE channel (many citizens behind one address), under its
 * own, higher limits. Staff with a valid token registering walk-ins and calls are not counted, and neither
 * is the retry of a submission already stored (it only gets its receipt back): a portal resending after a
 * lost answer must not use up its allowance.
 */
async function limitCaller(
  ctx: Context,
  operation: RateLimitedOperation,
  args: Record<string, any>,
) {
  const { perAddress, perIntakeToken } = ctx.config.rateLimits;
  const intake = ctx.principal?.role === "INTAKE";
  if (ctx.principal && !intake) return;
  const limit = intake ? perIntakeToken[operation] : perAddress[operation];
  if (!limit) return;
  const scope = IDEMPOTENT[operation];
  if (scope && (await isStoredSubmission(ctx, scope, args.input?.idempotencyKey))) return;
  const caller = intake ? `token:${ctx.principal!.id}` : addressKey(ctx.clientAddress);
  const bucket = `${operation}|${caller}`;
  const verdict = COUNTED_HERE.has(operation)
    ? ctx.rateLimiter.hitHere(bucket, limit)
    : await ctx.rateLimiter.hit(bucket, limit);
  if (!verdict.allowed) refuse(ctx, operation, intake ? "token" : "address", verdict);
}

/**
 * Per tracking number and client address, and under a much higher ceiling per tracking number from all
 * addresses together: tracking numbers are sequential, so a lock per number alone would let anyone lock
 * any complainant out of their status page with a few wrong codes. Every attempt takes a slot in both
 * windows before the code is checked (so concurrent guesses cannot slip past the count), and gives them
 * back unless the answer was NOT_FOUND, the one answer to a wrong code (or an unknown number, counted the
 * same way so that it tells nothing). Once a window's slots are used up, every attempt it covers is refused
 * until it ends, a right code included: otherwise the lock itself would tell a guesser when it had
 * guessed right. With 80-bit codes, the ceiling's guesses per window are nothing.
 */
async function limitAccess<T>(
  ctx: Context,
  operation: string,
  trackingNumber: string,
  attempt: () => Promise<T>,
): Promise<T> {
  const { accessAttempts, accessAttemptsPerNumber } = ctx.config.rateLimits;
  const number = `access|${trackingNumber.trim().toUpperCase().slice(0, 40)}`;
  const limits = [
    { bucket: `${number}|${addressKey(ctx.clientAddress)}`, limit: accessAttempts },
    { bucket: number, limit: accessAttemptsPerNumber },
  ].filter((l) => l.limit > 0);
  const taken: string[] = [];
  const giveBack = () =>
    Promise.all(taken.map((bucket) => ctx.rateLimiter.giveBack(bucket))).catch((err: unknown) =>
      ctx.log.error({ err }, "rate-limit give-back failed"),
    );
  for (const { bucket, limit } of limits) {
    const verdict = await ctx.rateLimiter.hit(bucket, limit);
    if (!verdict.allowed) {
      await giveBack();
      refuse(ctx, operation, "tracking_number", verdict);
    }
    taken.push(bucket);
  }
  let failed = false;
  try {
    return await attempt();
  } catch (e) {
    failed = e instanceof DomainError && e.code === "NOT_FOUND";
    throw e;
  } finally {
    if (!failed) await giveBack();
  }
}

/**
 * Wraps, once at start-up, the public operations with their rate limits. The check runs before the
 * resolver, outside any transaction: a refused call writes nothing but its counter, and no audit record
 * (refusals are counted in the metrics instead; an audit row each would let a flood fill the audit log).
 */
export function applyRateLimits(schema: GraphQLSchema): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(root?.getFields() ?? {}) as GraphQLField<
      unknown,
      Context
    >[]) {
      const operation = RATE_LIMITED_OPERATIONS.find((name) => name === field.name);
      if (!operation) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      const trackingNumberOf = TRACKING_NUMBER[operation];
      field.resolve = async (source, args, ctx, info) => {
        await limitCaller(ctx, operation, args);
        const trackingNumber = trackingNumberOf?.(args);
        if (typeof trackingNumber !== "string") return resolve(source, args, ctx, info);
        return limitAccess(ctx, operation, trackingNumber, async () =>
          resolve(source, args, ctx, info),
        );
      };
    }
  }
  return schema;
}
