import "reflect-metadata";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSchema, parse, validate } from "graphql";
import { printSenimSchema } from "../src/graphql/schema";
import { contractOperations } from "./helpers/contract";

const committed = () => readFileSync(join(__dirname, "..", "schema", "schema.graphql"), "utf8");

/** Every contract operation. */
const DELIVERED = [...contractOperations().keys()];

describe("schema", () => {
  it("is committed as generated: run `npm run schema:emit` after changing a type", async () => {
    expect(committed()).toBe(`${await printSenimSchema()}\n`);
  });

  it("covers the operations of every finished issue", () => {
    expect(DELIVERED.length).toBeGreaterThanOrEqual(47);
  });

  it.each(DELIVERED)("validates the contract operation %s", (name) => {
    const op = contractOperations().get(name);
    expect(op).toBeDefined();
    expect(validate(buildSchema(committed()), parse(op!.text)).map((e) => e.message)).toEqual([]);
  });

  it("documents every type and field clients see", () => {
    const sdl = buildSchema(committed());
    const undocumented: string[] = [];
    for (const type of Object.values(sdl.getTypeMap())) {
      if (type.name.startsWith("__")) continue;
      if (!type.description && !["Query", "Mutation"].includes(type.name))
        undocumented.push(type.name);
      if ("getFields" in type) {
        for (const field of Object.values(type.getFields()))
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
      }
    }
    expect(undocumented).toEqual([]);
  });
});
