import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import { APOLLO_DESIGN_CODES, DomainError } from "../errors";
import { isTransientFault } from "../db/errors";
import { TOO_COMPLEX } from "./limits";

/** What a client hears when the database failed under its request (lost connection, timeout, deadlock). */
export const TRANSIENT_FAULT = "Service temporarily unavailable; retry the request";

const TOKEN_LIMIT = /^Syntax Error: Document contains more th(?:an|at) \d+ tokens/; // sic: graphql-js says "more that"

/** Codes Apollo itself produces for malformed requests; their messages carry no data. */
const APOLLO_CODES = new Set([
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "OPERATION_RESOLUTION_FAILURE",
]);

const DESIGN_CODES: ReadonlySet<string> = new Set(APOLLO_DESIGN_CODES);

const VARIABLE_ERROR = /^Variable "\$([^"]+)" got invalid value .*? at "([^"]+)"; (.*)$/s;
const VARIABLE_TOP = /^Variable "\$([^"]+)" got invalid value .*?; (.*)$/s;
const MISSING_VARIABLE =
  /^Variable "\$([^"]+)" of (?:required|non-null) type "([^"]+)" (?:was not provided|must not be null)\.$/;

/**
 * Apollo refuses some malformed requests (a persisted-query hash that does not match its query, an
 * unknown persisted-query version) with a bare GraphQLError: no code, only an HTTP 4xx status.
 */
function isApolloRefusal(error: unknown): boolean {
  if (!(error instanceof GraphQLError) || error.originalError || error.extensions?.code)
    return false;
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  return typeof status === "number" && status >= 400 && status < 500;
}

/** Turns graphql-js's coercion message into one that names the path but never repeats the value. */
function describeVariableError(message: string): { field: string; message: string } | null {
  const missing = MISSING_VARIABLE.exec(message);
  if (missing) return { field: missing[1], message: `${missing[1]} is required` };
  const nested = VARIABLE_ERROR.exec(message) ?? VARIABLE_TOP.exec(message);
  if (!nested) return null;
  const field = (nested.length === 4 ? nested[2] : nested[1]).replace(/\[(\d+)\]/g, ".$1");
  const reason = nested[nested.length - 1];
  const notProvided = /^Field "([^"]+)" of required type "([^"]+)" was not provided\.$/.exec(
    reason,
  );
  if (notProvided)
    return {
      field: `${field}.${notProvided[1]}`,
      message: `${field}.${notProvided[1]} is required`,
    };
  const unknownField = /^Field "([^"]+)" is not defined by type "([^"]+)"\./.exec(reason);
  if (unknownField)
    return {
      field: `${field}.${unknownField[1]}`,
      message: `${unknownField[1]} is not a field of ${unknownField[2]}`,
    };
  const enumValue = /does not exist in "([^"]+)" enum/.exec(reason);
  if (enumValue) return { field, message: `${field} is not one of the ${enumValue[1]} values` };
  const expected = /^Expected type "([^"]+)"/.exec(reason);
  if (expected) return { field, message: `${field} must be a valid ${expected[1]}` };
  return { field, message: `${field} has an invalid value` };
}

/**
 * The last word on what an error may say: domain errors pass as written, coercion errors lose
 * the offending value, and anything unexpected becomes a masked INTERNAL_SERVER_ERROR
 * (the details were logged with the request id by the logging plugin).
 */
export function formatError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const { path, locations } = formatted;
  if (original instanceof DomainError) {
    const {
      stacktrace: _s,
      http: _h,
      ...extensions
    } = original.extensions as Record<string, unknown>;
    return { message: original.message, path, locations, extensions };
  }
  const code = formatted.extensions?.code as string | undefined;
  // Query limits (src/graphql/limits.ts) surface as validation or parse errors; they never state the limit.
  if (
    formatted.message === TOO_COMPLEX ||
    formatted.message === `Syntax Error: ${TOO_COMPLEX}` ||
    TOKEN_LIMIT.test(formatted.message)
  ) {
    return { message: TOO_COMPLEX, extensions: { code: "QUERY_TOO_COMPLEX" } };
  }
  if (code === "BAD_USER_INPUT") {
    const described = describeVariableError(formatted.message);
    return {
      message: described?.message ?? "Invalid input",
      locations,
      extensions: { code, ...(described ? { field: described.field } : {}) },
    };
  }
  // DESIGN.md's closed set names three of Apollo's codes; its others (an operation name that matches
  // nothing, persisted-query misses) are malformed requests too. Their messages, which APQ clients read, stay.
  if (code && APOLLO_CODES.has(code)) {
    return {
      message: formatted.message,
      locations,
      path,
      extensions: { code: DESIGN_CODES.has(code) ? code : "BAD_REQUEST" },
    };
  }
  if (isApolloRefusal(original))
    return { message: formatted.message, locations, extensions: { code: "BAD_REQUEST" } };
  // Still masked and still INTERNAL_SERVER_ERROR, but the client learns that the same request may succeed later.
  if (isTransientFault(error))
    return {
      message: TRANSIENT_FAULT,
      path,
      locations,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  return {
    message: "Internal server error",
    path,
    locations,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  };
}

/** Errors worth a server log line: anything not a deliberate client-facing refusal. */
export function isUnexpected(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return false;
  if (isApolloRefusal(original)) return false;
  const code = (original as { extensions?: { code?: string } })?.extensions?.code;
  return !(code && (APOLLO_CODES.has(code) || code === "BAD_USER_INPUT"));
}
