import { validate, type ValidationError } from "class-validator";
import type { ResolverData } from "type-graphql";
import { badInput, type FieldProblem } from "../errors";

/** Flattens class-validator's tree into "path: message" problems, never including the value. */
export function problemsOf(errors: ValidationError[], prefix = ""): FieldProblem[] {
  return errors.flatMap((e) => {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...problemsOf(e.children ?? [], field)];
  });
}

export async function problemsIn(value: object, prefix = ""): Promise<FieldProblem[]> {
  return problemsOf(await validate(value, { skipMissingProperties: true, forbidUnknownValues: false }), prefix);
}

/**
 * type-graphql's validateFn: checks every object argument with class-validator and reports the first
 * problem as BAD_USER_INPUT with `extensions.field` set to the argument path ("input.badgeNumber").
 */
export async function validateArgument(value: unknown, _type: unknown, { args }: ResolverData<object>) {
  if (value === null || typeof value !== "object") return;
  const argName = Object.keys(args).find((name) => args[name] === value) ?? "input";
  const values = Array.isArray(value) ? value : [value];
  for (const [index, item] of values.entries()) {
    if (item === null || typeof item !== "object") continue;
    const prefix = Array.isArray(value) ? `${argName}.${index}` : argName;
    const [first] = await problemsIn(item, prefix);
    if (first) throw badInput(first.field, first.message);
  }
}
