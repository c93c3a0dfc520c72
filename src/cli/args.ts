/** Minimal --flag value parsing for the command-line tools (node's parseArgs, with friendly errors). */
import { parseArgs, type ParseArgsConfig } from "node:util";

export function cliArgs<T extends NonNullable<ParseArgsConfig["options"]>>(
  options: T,
  usage: string,
) {
  try {
    return parseArgs({ options, allowPositionals: false, strict: true }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\nUsage: ${usage}\n`);
    process.exit(2);
  }
}

/** A whole number flag within [min, max]; digits only, so "1e5" and "10.0" are refused rather than guessed. */
export function integerOption(
  value: string | undefined,
  name: string,
  min: number,
  max: number,
  usage: string,
): number {
  const number = value !== undefined && /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    process.stderr.write(
      `${name} must be a whole number from ${min} to ${max} (got "${value ?? ""}")\nUsage: ${usage}\n`,
    );
    process.exit(2);
  }
  return number;
}
