import { getTableColumns, getTableName, sql, type Table } from "drizzle-orm";
import { toSnakeCase } from "drizzle-orm/casing";

/**
 * A table's whole rows read by raw SQL (`preparedRows`, `rows`): `columns` is the select list, qualified by
 * `alias`, and `map` turns a raw row into the row drizzle's select gives (camelCase keys, each value through
 * its column's own decoding). drizzle maps a selected row cell by cell through generic checks: 7% of the case
 * queue's server CPU, against one loop over the columns here.
 */
export function tableRows<T extends Table>(table: T, alias: string = getTableName(table)) {
  const columns = Object.entries(getTableColumns(table)).map(([key, column]) => ({
    key,
    name: toSnakeCase(column.name),
    column,
  }));
  return {
    // Named columns, not t.*: a prepared statement's result columns are fixed, and a column added by a later
    // migration would make every server still running fail it ("cached plan must not change result type").
    columns: sql.raw(columns.map((c) => `${alias}.${c.name}`).join(", ")),
    map(raw: Record<string, unknown>): T["$inferSelect"] {
      const row: Record<string, unknown> = {};
      for (const { key, name, column } of columns) {
        const value = raw[name];
        row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
      }
      return row as T["$inferSelect"];
    },
  };
}
