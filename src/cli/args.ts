/** Minimal --flag value parsing for the command-line tools (node's parseArgs, with friendly errors). */
import { parseArgs, type ParseArgsConfig } from "node:util";

export function cliArgs<T extends NonNullable<ParseArgsConfig["options"]>>(options: T, usage: string) {
  try {
    return parseArgs({ options, allowPositionals: false, strict: true }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\nUsage: ${usage}\n`);
    process.exit(2);
  }
}
