import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import postgres from "postgres";
import { appendAudit } from "../src/audit/audit.writer";
import { verifyChain } from "../src/audit/audit.verify";
import { hashToken, principalForToken } from "../src/auth/token";
import { rows, type Database } from "../src/db/client";
import { migrate, MIGRATIONS_FOLDER } from "../src/db/migrate";
import { fixtureActor, openPrivateDatabase, testAuditKeys } from "./helpers/database";

jest.setTimeout(120_000);

const DAY_MS = 86_400_000;
/** The migration that gives every token an expiry and a status. */
const TOKENS_MIGRATION = "token_approval_and_intake";

/** drizzle/ as it stood before that migration: the journal cut just before it. */
function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(join(tmpdir(), "senim-migrations-"));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8"));
  const cut = journal.entries.findIndex((e: { tag: string }) => e.tag.endsWith(tag));
  expect(cut).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, cut);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

async function migrateWith(database: Database, migrationsFolder: string) {
  if (database.kind === "pglite") {
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder });
    return;
  }
  const client = postgres(database.url!, { max: 1, onnotice: () => {} });
  try {
    await migratePostgres(drizzle({ client }), { migrationsFolder });
  } finally {
    await client.end();
  }
}

interface Before {
  name: string;
  token: string;
  expiresAt: Date | null;
  createdDaysAgo: number;
}

const PRINCIPALS: Before[] = [
  { name: "Never expiring", token: "snm_never", expiresAt: null, createdDaysAgo: 400 },
  {
    name: "Expiring soon",
    token: "snm_soon",
    expiresAt: new Date(Date.now() + 10 * DAY_MS),
    createdDaysAgo: 20,
  },
  {
    name: "Five-year token",
    token: "snm_long",
    expiresAt: new Date(Date.now() + 5 * 365 * DAY_MS),
    createdDaysAgo: 1,
  },
];

describe("the migration to expiring, approved tokens", () => {
  let priv: Awaited<ReturnType<typeof openPrivateDatabase>>;
  let folder: string;
  beforeAll(async () => {
    priv = await openPrivateDatabase({ empty: true });
    folder = migrationsBefore(TOKENS_MIGRATION);
    await migrateWith(priv.database, folder);
    // Principals as the service wrote them then: with their audit record, so the chain holds.
    await priv.database.db.transaction(async (tx) => {
      for (const p of PRINCIPALS) {
        await tx.execute(sql`
          insert into principals (name, role, token_hash, expires_at, created_at)
          values (${p.name}, 'INVESTIGATOR', ${hashToken(p.token)}, ${p.expiresAt?.toISOString() ?? null},
                  now() - make_interval(days => ${p.createdDaysAgo}))`);
      }
      await appendAudit(tx, fixtureActor(), [
        { action: "issueApiToken", entity: null, entityId: null, outcome: "SUCCESS" },
      ]);
    });
    await migrate(priv.database);
  });
  afterAll(async () => {
    await priv.drop();
    rmSync(folder, { recursive: true, force: true });
  });

  const after = async () =>
    rows<{ name: string; expires_at: string; activated_at: string | null; created_at: string }>(
      priv.database.db,
      sql`select name, expires_at::text, activated_at::text, created_at::text from principals order by name`,
    );

  it("gives tokens that never expired 90 days from the upgrade, and brings long ones down to 365", async () => {
    const byName = new Map((await after()).map((r) => [r.name, new Date(r.expires_at).getTime()]));
    const near = (actual: number | undefined, expected: number) =>
      expect(Math.abs(actual! - expected)).toBeLessThan(5 * 60_000);
    near(byName.get("Never expiring"), Date.now() + 90 * DAY_MS);
    expect(byName.get("Expiring soon")).toBe(PRINCIPALS[1].expiresAt!.getTime());
    near(byName.get("Five-year token"), Date.now() + 365 * DAY_MS);
  });

  it("keeps every existing token working: active since it was made", async () => {
    for (const row of await after()) expect(row.activated_at).toBe(row.created_at);
    for (const p of PRINCIPALS)
      expect(await principalForToken(priv.database.db, p.token, new Date())).toMatchObject({
        name: p.name,
        role: "INVESTIGATOR",
      });
  });

  it("leaves the audit chain intact: the upgrade is not a change behind the service's back", async () => {
    expect(await verifyChain(priv.database.db, testAuditKeys())).toEqual({
      ok: true,
      checked: 1,
      firstBrokenSeq: null,
      problem: null,
    });
    // The version trigger is on again for everything after it.
    await priv.database.db.execute(sql`update principals set name = name || ' (renamed by hand)'`);
    expect((await verifyChain(priv.database.db, testAuditKeys())).ok).toBe(false);
  });
});
