// Fails when schema/operations (the project's copy of the client contract) drifts from the published one:
// each published operation must be in the copy as written, or replaced by its contract-next version; the
// contract-next files the project has adopted (ADOPTED) must be in the copy whole, each as written there.
// Run from the project root: node .ci/contract-drift.mjs ../shared
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const { parse, print, Kind } = createRequire(join(process.cwd(), "package.json"))("graphql");
const shared = process.argv[2] ?? "../shared";

/** The contract-next files this project implements: their operations replace the published ones. */
const ADOPTED = ["integrity.graphql", "tokens.graphql"];

function operations(dir, only = null) {
  const found = new Map();
  if (!existsSync(dir)) return found;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".graphql"))) {
    if (only && !only.includes(file)) continue;
    for (const def of parse(readFileSync(join(dir, file), "utf8")).definitions) {
      if (def.kind === Kind.OPERATION_DEFINITION && def.name) found.set(def.name.value, print(def));
    }
  }
  return found;
}

const ours = operations("schema/operations");
const published = operations(join(shared, "contract"));
const next = operations(join(shared, "contract-next"));
const adopted = operations(join(shared, "contract-next"), ADOPTED);
const problems = [];
for (const file of ADOPTED) {
  if (!existsSync(join(shared, "contract-next", file)))
    problems.push(
      `${file}: adopted, but not in contract-next (published since? then drop it from ADOPTED)`,
    );
}
for (const [name, text] of adopted) {
  if (ours.get(name) !== text)
    problems.push(`${name}: adopted from contract-next, differs or missing`);
}
for (const [name, text] of published) {
  const mine = ours.get(name);
  if (adopted.has(name)) continue;
  if (mine === undefined) problems.push(`${name}: published, missing from schema/operations`);
  else if (mine !== text && mine !== next.get(name))
    problems.push(`${name}: differs from the published text`);
}
for (const name of ours.keys()) {
  if (!published.has(name) && !next.has(name)) {
    problems.push(`${name}: in schema/operations, published nowhere`);
  }
}
for (const problem of problems) console.log(`DRIFT ${problem}`);
console.log(
  `contract drift: ${ours.size} operations in schema/operations, ${problems.length} drifted`,
);
process.exit(problems.length ? 1 : 0);
