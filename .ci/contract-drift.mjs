// Fails when schema/operations (the project's copy of the client contract) drifts from the published one:
// each published operation must be in the copy as written, or replaced by its contract-next version.
// Run from the project root: node .ci/contract-drift.mjs ../shared
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const { parse, print, Kind } = createRequire(join(process.cwd(), "package.json"))("graphql");
const shared = process.argv[2] ?? "../shared";

function operations(dir) {
  const found = new Map();
  if (!existsSync(dir)) return found;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".graphql"))) {
    for (const def of parse(readFileSync(join(dir, file), "utf8")).definitions) {
      if (def.kind === Kind.OPERATION_DEFINITION && def.name) found.set(def.name.value, print(def));
    }
  }
  return found;
}

const ours = operations("schema/operations");
const next = operations(join(shared, "contract-next"));
const problems = [];
for (const [name, text] of operations(join(shared, "contract"))) {
  const mine = ours.get(name);
  if (mine === undefined) problems.push(`${name}: published, missing from schema/operations`);
  else if (mine !== text && mine !== next.get(name))
    problems.push(`${name}: differs from the published text`);
}
for (const name of ours.keys()) {
  if (!operations(join(shared, "contract")).has(name) && !next.has(name)) {
    problems.push(`${name}: in schema/operations, published nowhere`);
  }
}
for (const problem of problems) console.log(`DRIFT ${problem}`);
console.log(
  `contract drift: ${ours.size} operations in schema/operations, ${problems.length} drifted`,
);
process.exit(problems.length ? 1 : 0);
