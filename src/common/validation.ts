import { validate, type ValidationError } from "class-validator";
import { getNamedType, type GraphQLResolveInfo } from "graphql";
import type { ResolverData } from "type-graphql";
import { badInput, type FieldProblem } from "../errors";

/** Free text: anything printable, including quotes, RTL marks and emoji, but never NUL. */
export const TEXT = /^[^\0]*$/;
export const NO_NUL = { message: "must not contain NUL characters" };

/** Clock skew tolerated on "not in the future" checks. */
const SKEW_MS = 5 * 60_000;
const EARLIEST_EVENT = new Date("2000-01-01T00:00:00Z");

/** An incident or commended deed: not in the future (as of `now`), not before 2000. `name` is the input field. */
export function requirePastEvent(name: string, at: Date, now: Date) {
  if (at.getTime() > now.getTime() + SKEW_MS)
    throw badInput(`input.${name}`, `${name} cannot be in the future`);
  if (at < EARLIEST_EVENT) throw badInput(`input.${name}`, `${name} is too far in the past`);
}

/** Flattens class-validator's tree into "path: message" problems, never including the value. */
function problemsOf(errors: ValidationError[], prefix = ""): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...problemsOf(e.children ?? [], field)];
  });
}

export async function problemsIn(value: object, prefix = ""): Promise<FieldProblem[]> {
  return problemsOf(
    await validate(value, { skipMissingProperties: true, forbidUnknownValues: false }),
    prefix,
  );
}

/**
 * Checks already made in a request, by field node, argument type and value: a check depends on nothing
 * else (the field names the argument in the error), so the field under each of a roster's 50 officers
 * (`allegations(first: 5)`) is checked once, not 50 times.
 */
type Checks = Map<unknown, Map<unknown, Map<string | undefined, Promise<void>>>>;
const checked = new WeakMap<object, Checks>();

const child = <K, V>(map: Map<K, V>, key: K, make: () => V): V => {
  let found = map.get(key);
  if (found === undefined) map.set(key, (found = make()));
  return found;
};

/**
 * type-graphql's validateFn: checks every object argument with class-validator and reports the first
 * problem as BAD_USER_INPUT with `extensions.field` set to the argument path ("input.badgeNumber").
 */
export function validateArgument(
  value: unknown,
  type: unknown,
  data: ResolverData<object>,
): Promise<void> {
  let checks = checked.get(data.context);
  if (!checks) checked.set(data.context, (checks = new Map()));
  const byType = child(checks, data.info.fieldNodes[0], () => new Map());
  const byValue = child(byType, type, () => new Map());
  return child(byValue, JSON.stringify(value), () => check(value, type, data));
}

async function check(value: unknown, type: unknown, { args, info }: ResolverData<object>) {
  const argName = argumentName(value, type, args as Record<string, unknown>, info);
  const unstorable = findUnstorable(value, argName);
  if (unstorable) throw badInput(unstorable.field, unstorable.message);
  if (value === null || typeof value !== "object") return;
  const values = Array.isArray(value) ? value : [value];
  for (const [index, item] of values.entries()) {
    if (item === null || typeof item !== "object") continue;
    const prefix = Array.isArray(value) ? joinPath(argName, String(index)) : argName;
    const [first] = await problemsIn(item, prefix);
    if (first) throw badInput(first.field, first.message);
  }
}

/**
 * Which argument a value is. type-graphql hands over converted class instances, not the raw values, so
 * objects are matched by their input type's name; an @Args() class matches no argument and its fields
 * are top-level paths ("first", "after").
 */
function argumentName(
  value: unknown,
  type: unknown,
  args: Record<string, unknown>,
  info: GraphQLResolveInfo,
): string {
  if (value === null || typeof value !== "object")
    return Object.keys(args).find((name) => args[name] === value) ?? "";
  const typeName = typeof type === "function" ? type.name : undefined;
  const field = info.parentType.getFields()[info.fieldName];
  return field?.args.find((arg) => getNamedType(arg.type).name === typeName)?.name ?? "";
}

/** Half of a UTF-16 surrogate pair without the other half (with the u flag, a whole pair never matches). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * PostgreSQL text cannot hold NUL, and a lone surrogate has no UTF-8 form (validator.js's isEmail even
 * throws on one), so any string argument carrying either is refused before validators or SQL see it.
 */
function findUnstorable(value: unknown, path: string): { field: string; message: string } | null {
  if (typeof value === "string") {
    if (value.includes("\0"))
      return { field: path, message: "text must not contain NUL characters" };
    if (LONE_SURROGATE.test(value))
      return { field: path, message: "text must be well-formed Unicode" };
    return null;
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnstorable(item, joinPath(path, String(i)));
      if (found) return found;
    }
  } else if (value && typeof value === "object" && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) {
      const found = findUnstorable(item, joinPath(path, key));
      if (found) return found;
    }
  }
  return null;
}

const joinPath = (path: string, key: string) => (path ? `${path}.${key}` : key);
