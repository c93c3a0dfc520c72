import { eq, sql } from "drizzle-orm";
import { preparedRows, rows } from "../src/db/client";
import { allegations, complaints, officers } from "../src/db/schema";
import { tableRows } from "../src/db/table-rows";
import { startTestServer, type TestServer } from "./helpers/server";
import { createDistrict, createOfficer } from "./helpers/factories";
import { openCase } from "./helpers/cases";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe("rows read by raw SQL", () => {
  it("map to exactly what drizzle's select gives, for every column of the tables read that way", async () => {
    const admin = await t.as("ADMIN");
    const officer = await createOfficer(admin, { unitCode: await createDistrict(admin) });
    const { id } = await openCase(t, {
      officers: [{ badgeNumber: officer.badgeNumber }],
      categories: ["FORCE"],
    });
    const { db } = t.database;
    for (const [table, column, key] of [
      [complaints, complaints.id, id],
      [allegations, allegations.complaintId, id],
      [officers, officers.id, officer.id],
    ] as const) {
      const expected = await db.select().from(table).where(eq(column, key));
      const mapper = tableRows(table);
      const query = sql`select ${mapper.columns} from ${table} where ${column} = ${key}`;
      expect(expected.length).toBeGreaterThan(0);
      // Both ways raw SQL runs: drizzle's execute, and a prepared read (the loaders').
      expect((await rows<Record<string, unknown>>(db, query)).map(mapper.map)).toEqual(expected);
      const prepared = preparedRows<Record<string, unknown>>(db, query);
      expect((await prepared.execute({})).map(mapper.map)).toEqual(expected);
    }
  });
});
