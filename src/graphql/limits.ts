import type { ApolloServerPlugin } from "@apollo/server";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import {
  GraphQLError,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
} from "graphql";
import { getComplexity, simpleEstimator, type ComplexityEstimator } from "graphql-query-complexity";
import { DomainError } from "../errors";
import { DEFAULT_PAGE } from "../common/pagination";

/**
 * What one request may ask for. The largest contract operation (UnitRoster at first: 100 with nested
 * pages of 5) stays well inside every limit; hostile shapes (deep nesting, alias floods, pages of pages)
 * do not. Limits are never disclosed: every refusal says only that the query is too complex.
 */
export const LIMITS = {
  depth: 10,
  aliases: 15,
  directives: 10,
  tokens: 2000,
  cost: 25_000,
} as const;
export const TOO_COMPLEX = "The query is too complex";

const report = (context: ValidationContext | null) =>
  context?.reportError(new GraphQLError(TOO_COMPLEX));
const armor = {
  exposeLimits: false,
  errorMessage: TOO_COMPLEX,
  propagateOnRejection: false,
  onReject: [report],
};

/** graphql-armor's depth, alias and directive limits, as validation rules: nothing runs when they fail. */
export const limitRules = [
  maxDepthRule({ ...armor, n: LIMITS.depth }),
  maxAliasesRule({ ...armor, n: LIMITS.aliases }),
  maxDirectivesRule({ ...armor, n: LIMITS.directives }),
];

/** A connection costs its page size times what each item costs; `first` defaults to the API's default page. */
const pageEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!field.args.some((arg) => arg.name === "first")) return undefined;
  const first = typeof args.first === "number" && args.first > 0 ? args.first : DEFAULT_PAGE;
  return 1 + first * childComplexity;
};

/**
 * The most child units one unit is priced for. The ministry has 20 regions and no region has more than
 * about 20 districts, so 25 bounds every unit's children without reading the tree: a cost must be known
 * before execution, for one parsed document, whatever the unit code in its variables. A unit given more
 * children than this is underpriced, not refused.
 */
export const MAX_CHILD_UNITS = 25;
/** Measuring one unit's figures (its own roll-up reads), priced as this many plain fields. */
export const UNIT_FIGURES_COST = 10;

/**
 * Trust figures cost their measurement plus their selection, and `children` of TrustMetrics that for
 * every child unit: two levels of children below the nation measure 20 × 25 units, not two fields.
 */
const figuresEstimator: ComplexityEstimator = ({ type, field, childComplexity }) => {
  if (type.name === "TrustMetrics" && field.name === "children")
    return 1 + MAX_CHILD_UNITS * (UNIT_FIGURES_COST + childComplexity);
  if (field.name === "trustMetrics" && type.name === "Query")
    return UNIT_FIGURES_COST + childComplexity;
  return undefined;
};

/**
 * An operation's cost depends on its document and on the variables that can change it: page sizes (numbers)
 * and @skip/@include conditions (booleans). Strings and input objects never do, so one computation serves
 * every request that differs only in them (a new badge number, a new filter). Apollo hands back the same
 * parsed document for the same query text, so the cache lives and dies with its document-cache entry.
 */
const costs = new WeakMap<DocumentNode, Map<string, number>>();
const COSTS_PER_DOCUMENT = 64;

const costKey = (operationName: string | undefined, variables: Record<string, unknown>) => {
  const shaping = Object.entries(variables).filter(
    ([, v]) => typeof v === "number" || typeof v === "boolean",
  );
  return JSON.stringify([operationName ?? null, shaping]);
};

/** Refuses an operation whose estimated cost is over the limit, before anything executes. */
export const costLimit = (schema: GraphQLSchema): ApolloServerPlugin => ({
  async requestDidStart() {
    return {
      async didResolveOperation({ request, document, operationName }) {
        const variables = request.variables ?? {};
        const key = costKey(operationName ?? undefined, variables);
        let known = costs.get(document);
        let cost = known?.get(key);
        if (cost === undefined) {
          try {
            cost = getComplexity({
              schema,
              query: document,
              operationName: operationName ?? undefined,
              variables,
              estimators: [
                pageEstimator,
                figuresEstimator,
                simpleEstimator({ defaultComplexity: 1 }),
              ],
            });
          } catch {
            // Variables that do not coerce: execution refuses them next, as BAD_USER_INPUT, before running anything.
            return;
          }
          if (!known) costs.set(document, (known = new Map()));
          if (known.size >= COSTS_PER_DOCUMENT) known.clear();
          known.set(key, cost);
        }
        if (cost > LIMITS.cost)
          throw new DomainError("QUERY_TOO_COMPLEX", TOO_COMPLEX, { http: { status: 400 } });
      },
    };
  },
});
