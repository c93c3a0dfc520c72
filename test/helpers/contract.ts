import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Kind, parse, print, type OperationDefinitionNode } from "graphql";

export const CONTRACT_DIR = join(__dirname, "..", "..", "..", "shared", "contract");

let operations: Map<string, { file: string; text: string }> | undefined;

/** Every operation in ../shared/contract, by name, exactly as clients send it. */
export function contractOperations(): Map<string, { file: string; text: string }> {
  if (operations) return operations;
  operations = new Map();
  for (const file of readdirSync(CONTRACT_DIR).filter((f) => f.endsWith(".graphql"))) {
    const doc = parse(readFileSync(join(CONTRACT_DIR, file), "utf8"));
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
  if (!op) throw new Error(`No operation ${name} in ../shared/contract`);
  return op.text;
}
