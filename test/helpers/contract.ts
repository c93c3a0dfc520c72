import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Kind, parse, print, type OperationDefinitionNode } from "graphql";

/**
 * The operations real clients send (schema/operations, a copy of the published contract), found the same
 * way from test/ under ts-jest and from dist/bench/ when the bench runs compiled.
 */
export const OPERATIONS_DIR = (() => {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, "schema", "operations");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`schema/operations not found above ${__dirname}`);
})();

let operations: Map<string, { file: string; text: string }> | undefined;

/** Every client operation, by name, exactly as clients send it. */
export function contractOperations(): Map<string, { file: string; text: string }> {
  if (operations) return operations;
  operations = new Map();
  for (const file of readdirSync(OPERATIONS_DIR).filter((f) => f.endsWith(".graphql"))) {
    const doc = parse(readFileSync(join(OPERATIONS_DIR, file), "utf8"));
    for (const def of doc.definitions) {
      if (def.kind === Kind.OPERATION_DEFINITION && def.name) {
        operations.set(def.name.value, { file, text: print(def as OperationDefinitionNode) });
      }
    }
  }
  return operations;
}

export function contractOperation(name: string): string {
  const op = contractOperations().get(name);
  if (!op) throw new Error(`No operation ${name} in ${OPERATIONS_DIR}`);
  return op.text;
}
