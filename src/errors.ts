import { GraphQLError } from "graphql";

/** The closed set of codes clients may branch on (DESIGN.md section 3). */
const ERROR_CODES = [
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "CONFLICT",
  "INVALID_STATE",
  "IDEMPOTENCY_KEY_REUSED",
  "RATE_LIMITED",
  "QUERY_TOO_COMPLEX",
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Apollo's own codes that DESIGN.md section 3 lets through as they are. */
export const APOLLO_DESIGN_CODES = [
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
] as const;

/** Every code a client may ever see: ours, Apollo's allowed ones, and the masked internal error. */
export const CLIENT_CODES: ReadonlySet<string> = new Set([
  ...ERROR_CODES,
  ...APOLLO_DESIGN_CODES,
  "INTERNAL_SERVER_ERROR",
]);

export class DomainError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extensions: Record<string, unknown> = {},
    /** Where in the response it belongs, for an error raised before execution could say. */
    path?: readonly string[],
  ) {
    super(message, { extensions: { ...extensions, code }, path });
  }
}

/** `field` is the input path ("input.badgeNumber"); the offending value is never echoed. */
export const badInput = (field: string, message: string) =>
  new DomainError("BAD_USER_INPUT", message, { field });
export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);
/** No token, or (`tokenRejected`) one that is unknown, pending approval, expired or revoked. */
export const unauthenticated = (tokenRejected: boolean) =>
  new DomainError(
    "UNAUTHENTICATED",
    tokenRejected
      ? "The bearer token is unknown, not yet approved, expired or revoked"
      : "A valid bearer token is required for this operation",
  );
export const forbidden = (what: string) =>
  new DomainError("FORBIDDEN", `Your role may not access ${what}`);
export const conflict = (what: string) =>
  new DomainError("CONFLICT", `${what} was changed by someone else; reload it and try again`);
export const invalidState = (message: string) => new DomainError("INVALID_STATE", message);

/** Collects row-level problems (imports) or several field problems before failing once. */
export interface FieldProblem {
  field: string;
  message: string;
}
