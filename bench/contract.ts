import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Kind, parse, print, type OperationDefinitionNode } from "graphql";

/** The client contract beside the checkout (../shared/contract), or CONTRACT_DIR. */
export const CONTRACT_DIR =
  process.env.CONTRACT_DIR ?? join(__dirname, "..", "..", "..", "shared", "contract");

let operations: Map<string, string> | undefined;

/** An operation of the contract exactly as clients send it, by name. */
export function contractOperation(name: string): string {
  if (!operations) {
    operations = new Map();
    for (const file of readdirSync(CONTRACT_DIR).filter((f) => f.endsWith(".graphql"))) {
      for (const def of parse(readFileSync(join(CONTRACT_DIR, file), "utf8")).definitions) {
        if (def.kind === Kind.OPERATION_DEFINITION && def.name) {
          operations.set(def.name.value, print(def as OperationDefinitionNode));
        }
      }
    }
  }
  const text = operations.get(name);
  if (!text) throw new Error(`No operation ${name} in ${CONTRACT_DIR}`);
  return text;
}
