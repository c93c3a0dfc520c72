import "reflect-metadata";
import { Writable } from "node:stream";
import postgres from "postgres";
import { ConfigError, loadConfig } from "../src/config";
import { sql } from "drizzle-orm";
import { rows } from "../src/db/client";
import { tablePrivileges } from "../src/db/grants";
import { openConfiguredDatabase } from "../src/db/open";
import { createLogger } from "../src/logger";
import { runCli } from "./helpers/audit";
import { advanceTo, openCase } from "./helpers/cases";
import { onPostgres } from "./helpers/database";
import { createDistrict, createOfficer } from "./helpers/factories";
import { spawnSenim, stopAll } from "./helpers/process";
import { createSeparateRoles, type SeparateRoles } from "./helpers/roles";
import { ok, startTestServer } from "./helpers/server";

afterAll(stopAll);

describe("MIGRATION_DATABASE_URL in the configuration", () => {
  const production = {
    NODE_ENV: "production",
    ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS!,
    AUDIT_KEY: process.env.AUDIT_KEY!,
    DATABASE_URL: "postgres://senim_app@db/senim",
  };
  const problemsOf = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return "";
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
  };

  it("is required in production with DATABASE_URL, and the refusal names it", () => {
    expect(problemsOf(production)).toMatch(
      /MIGRATION_DATABASE_URL is required in production with DATABASE_URL/,
    );
    const config = loadConfig({
      ...production,
      MIGRATION_DATABASE_URL: "postgres://senim_owner@db/senim",
    });
    expect(config.migrationDatabaseUrl).toBe("postgres://senim_owner@db/senim");
  });

  it("is optional outside production, and on PGlite in production", () => {
    expect(loadConfig({ ...production, NODE_ENV: "development" }).migrationDatabaseUrl).toBeNull();
    expect(loadConfig({ ...production, DATABASE_URL: "" }).databaseUrl).toBeNull();
  });

  it("must be a postgres:// URL, and comes only with DATABASE_URL", () => {
    expect(
      problemsOf({ NODE_ENV: "test", MIGRATION_DATABASE_URL: "postgres://o@db/senim" }),
    ).toMatch(/MIGRATION_DATABASE_URL is set without DATABASE_URL/);
    expect(problemsOf({ ...production, MIGRATION_DATABASE_URL: "mysql://o@db/senim" })).toMatch(
      /MIGRATION_DATABASE_URL must start with postgres:\/\//,
    );
  });
});

/** Every privilege PostgreSQL has on tables, in the order grants.ts lists them. */
const TABLE_PRIVILEGES = [
  "SELECT",
  "INSERT",
  "UPDATE",
  "DELETE",
  "TRUNCATE",
  "REFERENCES",
  "TRIGGER",
];

/** Statements only the owner (or nobody) may run: each must fail on permissions (SQLSTATE 42501). */
const OWNER_ONLY = [
  "alter table audit_log disable trigger all",
  "alter table audit_log disable trigger audit_log_no_update_delete",
  "delete from audit_log",
  "update audit_log set action = 'x'",
  "truncate audit_log",
  "alter table allegations add column x int",
  "drop table complaints",
  "create table public.x (a int)",
];

(onPostgres ? describe : describe.skip)(
  "two database roles (PostgreSQL only: PGlite has one user)",
  () => {
    let roles: SeparateRoles;
    let owner: postgres.Sql;
    let runtime: postgres.Sql;
    const logged: { level: number; msg: string }[] = [];
    const log = createLogger(
      "warn",
      new Writable({
        write: (chunk, _enc, done) => (logged.push(JSON.parse(String(chunk))), done()),
      }),
    );
    const config = (env: Record<string, string> = {}) =>
      loadConfig({
        NODE_ENV: "test",
        ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS,
        AUDIT_KEY: process.env.AUDIT_KEY,
        ...roles.env,
        ...env,
      });
    /** Opens the database as the server does: migrates as the owner, grants, checks the runtime role. */
    const start = (env: Record<string, string> = {}) =>
      openConfiguredDatabase(config(env), log, { asServer: true });

    beforeAll(async () => {
      roles = await createSeparateRoles();
      owner = postgres(roles.urlAs(roles.owner), { max: 1, onnotice: () => {} });
      runtime = postgres(roles.urlAs(roles.runtime), { max: 1, onnotice: () => {} });
      await (await start()).close();
    });
    afterAll(async () => {
      await Promise.all([owner?.end(), runtime?.end()]);
      await roles?.drop();
    });

    /** PostgreSQL's refusal of `statement` run as the runtime role, or null if it ran. */
    async function refusal(statement: string) {
      try {
        await runtime.unsafe(statement);
        return null;
      } catch (e) {
        return { code: (e as { code?: string }).code, message: (e as Error).message };
      }
    }

    /** What the runtime role may do, per table of schema public and on the schemas. */
    async function runtimePrivileges() {
      const tables = await owner<{ name: string; privileges: string[] }[]>`
        select tablename as name, array(
          select p from unnest(${TABLE_PRIVILEGES}::text[]) with ordinality as t(p, i)
          where has_table_privilege(${roles.runtime}, format('public.%I', tablename), p) order by i
        ) as privileges
        from pg_tables where schemaname = 'public' order by tablename`;
      const [schemas] = await owner`
        select has_schema_privilege(${roles.runtime}, 'public', 'USAGE') as "publicUsage",
          has_schema_privilege(${roles.runtime}, 'public', 'CREATE') as "publicCreate",
          has_schema_privilege(${roles.runtime}, 'drizzle', 'USAGE') as "drizzleUsage",
          (select bool_and(has_sequence_privilege(${roles.runtime}, format('public.%I', sequencename), 'USAGE'))
             from pg_sequences where schemaname = 'public') as "sequenceUsage"`;
      return { tables, schemas };
    }

    async function expectOnlyGrantsOfGrantsTs() {
      const { tables, schemas } = await runtimePrivileges();
      expect(tables.length).toBeGreaterThan(10);
      expect(tables).toEqual(
        tables.map(({ name }) => ({ name, privileges: [...tablePrivileges(name)] })),
      );
      expect(schemas).toEqual({
        publicUsage: true,
        publicCreate: false,
        drizzleUsage: false,
        sequenceUsage: true,
      });
    }

    it("grants the runtime role what grants.ts lists, and nothing in drizzle's schema", async () => {
      await expectOnlyGrantsOfGrantsTs();
      const audit = (await runtimePrivileges()).tables.find((t) => t.name === "audit_log");
      expect(audit?.privileges).toEqual(["SELECT", "INSERT"]);
    });

    it.each(OWNER_ONLY)("refuses the runtime role: %s", async (statement) => {
      expect(await refusal(statement)).toEqual({
        code: "42501",
        message: expect.stringMatching(/^(permission denied for|must be owner of) /),
      });
    });

    it("serves a complaint's whole road as the runtime role, and the audit chain verifies", async () => {
      const database = await start();
      const t = await startTestServer({}, { database });
      try {
        expect(await rows(database.db, sql`select current_user as name`)).toEqual([
          { name: roles.runtime },
        ]);
        const admin = await t.as("ADMIN");
        const district = await createDistrict(admin);
        await createOfficer(admin, { unitCode: district });
        const { id } = await openCase(t, { unitCode: district });
        expect((await advanceTo(t, id, "CLOSED")).status).toBe("CLOSED");
        const auditor = await t.as("AUDITOR");
        expect(ok(await auditor.op("VerifyAuditChain")).verifyAuditChain).toMatchObject({
          ok: true,
          firstBrokenSeq: null,
        });
      } finally {
        await t.close();
        await database.close();
      }
    });

    it("converges on a second start: rights given by hand are taken back", async () => {
      await owner.unsafe(
        `grant truncate, update, delete, trigger on audit_log, complaints to ${roles.runtime}`,
      );
      await owner.unsafe(`grant usage on schema drizzle to ${roles.runtime}`);
      expect(await refusal("truncate audit_log")).toMatchObject({
        message: expect.stringMatching(/append-only/),
      });
      const database = await start();
      try {
        await expectOnlyGrantsOfGrantsTs();
        for (const statement of OWNER_ONLY)
          expect(await refusal(statement)).toMatchObject({ code: "42501" });
        const [{ n }] = await rows<{ n: number }>(
          database.db,
          sql`select count(*)::int as n from audit_log`,
        );
        expect(n).toBeGreaterThan(0); // the runtime role still reads what it wrote
      } finally {
        await database.close();
      }
    });

    it("seeds as the owner, who may drop keys and disable triggers, and leaves the grants whole", async () => {
      const seeded = await runCli("seed", ["--officers", "20", "--complaints", "30"], roles.env);
      expect(seeded.code).toBe(0);
      expect(JSON.parse(seeded.stdout)).toMatchObject({ officers: 20, complaints: 30 });
      await expectOnlyGrantsOfGrantsTs();
    });

    it("warns when the runtime role also migrates, as it then owns the tables", async () => {
      logged.length = 0;
      const asOwner = { DATABASE_URL: roles.urlAs(roles.owner), MIGRATION_DATABASE_URL: "" };
      await (await start(asOwner)).close();
      expect(logged.map((line) => line.msg)).toEqual([
        expect.stringMatching(
          /owns the tables: .*disable the audit triggers; set MIGRATION_DATABASE_URL/,
        ),
      ]);
    });

    it.each([
      ["the tables' owner", () => roles.urlAs(roles.owner), /owns \d+ tables/],
      ["a superuser", () => process.env.DATABASE_URL!, /is a superuser/],
    ])("refuses to start in production as %s", async (_, runtimeUrl, reason) => {
      const url = new URL(runtimeUrl());
      url.pathname = new URL(roles.env.DATABASE_URL).pathname;
      const refused = start({ NODE_ENV: "production", DATABASE_URL: url.toString() });
      await expect(refused).rejects.toThrow(ConfigError);
      await expect(refused).rejects.toThrow(reason);
    });

    it("says why in one message when a production process refuses to start", async () => {
      const senim = spawnSenim({
        NODE_ENV: "production",
        ...roles.env,
        DATABASE_URL: roles.urlAs(roles.owner),
      });
      try {
        expect(await senim.exited).toEqual({ code: 1, signal: null });
        expect(senim.stderr()).toMatch(
          /^Senim refuses to start in production: the runtime role "senim_owner_\w+" \(DATABASE_URL\) owns \d+ tables/,
        );
        expect(senim.stderr()).not.toMatch(/\n\s+at /); // a message, not a stack trace
      } finally {
        await senim.stop();
      }
    });
  },
);
