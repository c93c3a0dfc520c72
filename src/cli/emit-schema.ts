import "reflect-metadata";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { printSenimSchema } from "../graphql/schema";
import { MIGRATIONS_FOLDER } from "../db/migrate";

/** Writes schema/schema.graphql from the type-graphql classes; with --check, fails if the committed file differs. */
async function main() {
  const path = join(MIGRATIONS_FOLDER, "..", "schema", "schema.graphql");
  const sdl = `${await printSenimSchema()}\n`;
  if (process.argv.includes("--check")) {
    let committed = "";
    try {
      committed = readFileSync(path, "utf8");
    } catch {}
    if (committed !== sdl) {
      process.stderr.write(
        "schema/schema.graphql is stale: run `npm run schema:emit` and commit the result\n",
      );
      process.exit(1);
    }
    process.stdout.write("schema/schema.graphql is up to date\n");
    return;
  }
  writeFileSync(path, sdl);
  process.stdout.write(`wrote ${path}\n`);
}

main().catch((err) => {
  process.stderr.write(`schema:emit: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
