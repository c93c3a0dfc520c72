import "reflect-metadata";
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { DateTimeResolver } from "graphql-scalars";
import { buildSchema, getMetadataStorage } from "type-graphql";
import { AuditResolver } from "../audit/audit.resolver";
import { applyPolicy, type Policy } from "../auth/guard";
import { applyRateLimits } from "../ratelimit/rate-limit.guard";
import { PrincipalResolver, TokenResolver } from "../auth/token.resolver";
import { validateArgument } from "../common/validation";
import { AssignmentResolver, OfficerResolver } from "../modules/officer/officer.resolver";
import { UnitResolver } from "../modules/unit/unit.resolver";
import { CommendationResolver } from "../modules/commendation/commendation.resolver";
import { MetricsResolver } from "../modules/metrics/metrics.resolver";
import { StandingResolver } from "../modules/standing/standing.resolver";
import { ComplaintReviewsResolver, ReviewResolver } from "../modules/review/review.resolver";
import {
  AllegationResolver,
  ComplaintResolver,
  TimelineEntryResolver,
} from "../modules/complaint/complaint.resolver";

export const resolvers = [
  UnitResolver,
  OfficerResolver,
  AssignmentResolver,
  TokenResolver,
  PrincipalResolver,
  AuditResolver,
  ComplaintResolver,
  AllegationResolver,
  TimelineEntryResolver,
  CommendationResolver,
  ReviewResolver,
  ComplaintReviewsResolver,
  StandingResolver,
  MetricsResolver,
] as const;

let built: Promise<GraphQLSchema> | undefined;

/**
 * Plain fields read their property directly (type-graphql's simpleResolvers), instead of through a
 * per-field wrapper that exists to run middlewares: none are used here (the policy wraps the fields it
 * guards itself, in applyPolicy). Should one ever be added, every type keeps its wrappers.
 */
function resolvePlainFieldsDirectly() {
  const storage = getMetadataStorage();
  if (storage.middlewares.length || storage.authorizedFields.length) return;
  for (const type of storage.objectTypes) type.simpleResolvers ??= true;
}

/**
 * A new schema under `policy`. The server uses senimSchema(); a test builds its own only to see what a
 * policy with a gap does.
 */
export async function buildSenimSchema(policy?: Policy): Promise<GraphQLSchema> {
  resolvePlainFieldsDirectly();
  const schema = await buildSchema({
    resolvers,
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validateFn: validateArgument,
  });
  return applyRateLimits(applyPolicy(schema, policy));
}

/** Built once per process: type-graphql's metadata is global, and building is the slow part of start-up. */
export function senimSchema(): Promise<GraphQLSchema> {
  return (built ??= buildSenimSchema());
}

/** The committed SDL: sorted, so that diffs show real changes only. */
export const printSenimSchema = async () =>
  printSchema(lexicographicSortSchema(await senimSchema()));
