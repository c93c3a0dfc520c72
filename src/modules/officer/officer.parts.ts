import DataLoader from "dataloader";
import { sql, type SQL } from "drizzle-orm";
import { arrayParam, preparedPerBatch, preparedRows, type Db } from "../../db/client";

/**
 * One thing read about an officer, as one SQL expression over officer `o` (a count, a JSON array, a page of
 * history). Its `id` stands for its text: two parts with one id must be the same expression.
 */
export interface OfficerPart {
  id: string;
  sql: SQL;
}

/**
 * The statements for the sets of parts met so far, each prepared for one officer and for several. A request
 * shape asks for the same set every time, so there are few; past the cap a set is rendered for its call only.
 */
const statements = new Map<string, ReturnType<typeof statementFor>>();
const MAX_STATEMENTS = 200;
const statementFor = (parts: readonly OfficerPart[]) =>
  preparedPerBatch("officers", (db, officers) =>
    preparedRows<Record<string, unknown> & { officer_id: string }>(
      db,
      sql`select o.id as officer_id, ${sql.join(
        parts.map((part, i) => sql`${part.sql} as ${sql.identifier(`p${i}`)}`),
        sql`, `,
      )} from officers o where o.id = any(${arrayParam(officers)})`,
    ),
  );

export type OfficerPartsLoader = DataLoader<
  { officerId: string; part: OfficerPart },
  unknown,
  string
>;

/**
 * Every part of every officer that a request's loaders ask for in one tick, read in one statement: a roster's
 * allegation pages, commendation totals and standings, or a profile's assignments, history and standing, cost
 * one round trip and one plan instead of one each. `values` fill the parts' placeholders (the request's
 * instant). An officer that does not exist reads as null in every part.
 */
export const officerPartsLoader = (db: Db, values: Record<string, unknown>): OfficerPartsLoader =>
  new DataLoader(
    async (keys) => {
      const byId = new Map<string, OfficerPart>();
      for (const { part } of keys) byId.set(part.id, part);
      const parts = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
      const name = parts.map((p) => p.id).join("\n");
      let statement = statements.get(name);
      if (!statement) {
        statement = statementFor(parts);
        if (statements.size < MAX_STATEMENTS) statements.set(name, statement);
      }
      const officerIds = [...new Set(keys.map((k) => k.officerId))];
      const found = new Map(
        (await statement(db, officerIds, values)).map((row) => [row.officer_id, row]),
      );
      const column = new Map(parts.map((part, i) => [part.id, `p${i}`]));
      return keys.map((k) => found.get(k.officerId)?.[column.get(k.part.id)!] ?? null);
    },
    { cacheKeyFn: (k) => `${k.officerId} ${k.part.id}` },
  );

/** A loader of one part, each value shaped for its field; the part joins this tick's officer statement. */
export const partLoader = <T>(
  parts: () => OfficerPartsLoader,
  part: OfficerPart,
  shape: (value: unknown, officerId: string) => T,
) =>
  new DataLoader<string, T>(async (officerIds) =>
    (await parts().loadMany(officerIds.map((officerId) => ({ officerId, part })))).map(
      (value, i) => (value instanceof Error ? value : shape(value, officerIds[i])),
    ),
  );
