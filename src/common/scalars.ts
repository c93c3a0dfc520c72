import { GraphQLScalarType, Kind } from "graphql";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Checks a calendar date string for real (no 2026-02-30); returns it unchanged. */
function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/**
 * A calendar date without time or zone, "2026-11-27". Kept as a string end to end so that no
 * time-zone arithmetic can ever shift a hiring or transfer date by a day.
 */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: "Date",
  description: "A calendar date without time or time zone, ISO 8601 (YYYY-MM-DD).",
  specifiedByURL: "https://tools.ietf.org/html/rfc3339",
  serialize(value) {
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    if (typeof value === "string" && isCalendarDate(value.slice(0, 10))) return value.slice(0, 10);
    throw new TypeError("Date cannot represent this value");
  },
  parseValue(value) {
    if (typeof value !== "string" || !isCalendarDate(value)) {
      throw new TypeError("Date must be a calendar date written YYYY-MM-DD");
    }
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !isCalendarDate(ast.value)) {
      throw new TypeError("Date must be a calendar date written YYYY-MM-DD");
    }
    return ast.value;
  },
});
