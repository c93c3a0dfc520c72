import type postgres from "postgres";

type TablePrivilege = "SELECT" | "INSERT" | "UPDATE" | "DELETE";

/** What the runtime role may do to a table in schema public; never TRUNCATE, REFERENCES or TRIGGER. */
const READ_WRITE: readonly TablePrivilege[] = ["SELECT", "INSERT", "UPDATE", "DELETE"];

/** Tables the runtime role may do less to. */
export const PROTECTED_TABLES: Readonly<Record<string, readonly TablePrivilege[]>> = {
  // Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, and only the owner may disable it.
  audit_log: ["SELECT", "INSERT"],
  // Written by the version triggers, which run as the owner: the runtime role can neither forge nor remove one.
  row_versions: ["SELECT"],
};

export const tablePrivileges = (table: string) => PROTECTED_TABLES[table] ?? READ_WRITE;

/**
 * Gives the runtime role exactly its rights: USAGE on schema public (no CREATE), its table privileges, the
 * sequences and functions; nothing in drizzle's bookkeeping schema. Everything is revoked first, so each run
 * converges, and a table that became protected loses what it had. Run by the owner, in one transaction.
 */
export async function grantRuntimeRole(tx: postgres.TransactionSql, runtimeRole: string) {
  const role = tx.identifier(runtimeRole);
  await tx`revoke all on schema public, drizzle from ${role}`;
  await tx`revoke all on all tables in schema public, drizzle from ${role}`;
  await tx`revoke all on all sequences in schema public, drizzle from ${role}`;
  await tx`revoke all on all functions in schema public from ${role}`;
  // Before PostgreSQL 15 every role (PUBLIC) may create tables in public.
  await tx`revoke create on schema public from public`;
  await tx`grant usage on schema public to ${role}`;
  const tables = await tx<{ name: string }[]>`
    select tablename as name from pg_tables where schemaname = 'public'`;
  for (const { name } of tables) {
    const privileges = tablePrivileges(name);
    if (!privileges.length) continue;
    await tx`grant ${tx.unsafe(privileges.join(", "))} on ${tx.identifier("public", name)} to ${role}`;
  }
  await tx`grant usage, select on all sequences in schema public to ${role}`;
  await tx`grant execute on all functions in schema public to ${role}`;
}
