import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq } from "drizzle-orm";
import { createFirstAdmin, FIRST_ADMIN_NAME } from "../src/auth/first-admin";
import { openDatabase, type Database } from "../src/db/client";
import { LOCK_FILE } from "../src/db/pglite-lock";
import { auditLog, principals } from "../src/db/schema";
import { runCli } from "./helpers/audit";
import { onPostgres, openPrivateDatabase, testAuditKeys } from "./helpers/database";
import { freePort, spawnSenim, startSenim, stopAll, type SenimProcess } from "./helpers/process";

// Each test starts real processes; a fresh PGlite directory takes seconds to create.
jest.setTimeout(180_000);
afterAll(stopAll);

/** On PostgreSQL no process opens a data directory: the lock is PGlite's alone. */
const pgliteOnly = onPostgres ? describe.skip : describe;
const postgresOnly = onPostgres ? it : it.skip;

const tokenIn = (text: string) => /snm_[A-Za-z0-9_-]{43}/.exec(text)?.[0] ?? null;

async function me(origin: string, token: string) {
  const res = await fetch(`${origin}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: "{ me { id role } }" }),
  });
  return (await res.json()) as {
    data?: { me: { id: string; role: string } | null };
    errors?: unknown[];
  };
}

/** A PGlite directory the test owns (a process's own is removed when it stops), with its key file. */
function dataDirectory() {
  const root = mkdtempSync(join(tmpdir(), "senim-first-"));
  const env = { PGLITE_DIR: join(root, "data"), ENCRYPTION_KEY_FILE: join(root, "data.keys") };
  return { root, env, lockFile: join(env.PGLITE_DIR, LOCK_FILE) };
}

/** A clean stop: SIGTERM, then the exit code; the lock is released on close. */
async function stopCleanly(senim: SenimProcess) {
  senim.child.kill("SIGTERM");
  expect(await senim.exited).toEqual({ code: 0, signal: null });
}

pgliteOnly("the PGlite directory lock (PGlite only: on PostgreSQL there is no directory)", () => {
  const { root, env, lockFile } = dataDirectory();
  let first: SenimProcess;
  let token: string;
  beforeAll(async () => {
    first = await startSenim(env);
    token = tokenIn(first.stderr())!;
  });
  afterAll(async () => {
    await first.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("refuses a second server on the same directory, naming the first, which keeps working", async () => {
    const second = spawnSenim({ PORT: String(await freePort()), ...env });
    expect(await second.exited).toEqual({ code: 1, signal: null });
    expect(second.stderr()).toContain(
      `open in the Senim server, pid ${first.child.pid}, started at`,
    );
    expect(second.stderr()).toContain("Stop that process first");
    expect(second.stderr()).not.toMatch(/\n\s+at /); // a message, not a stack trace
    expect((await me(first.origin, token)).data?.me?.role).toBe("ADMIN");
  });

  it("refuses npm run token while the server runs, pointing at issueApiToken instead", async () => {
    const run = await runCli("token", ["--role", "ADMIN", "--name", "Second admin"], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`open in the Senim server, pid ${first.child.pid}`);
    expect(run.stderr).toContain("issueApiToken");
    expect((await me(first.origin, token)).data?.me?.role).toBe("ADMIN");
    expect(existsSync(lockFile)).toBe(true); // the refused process left the holder's lock alone
  });
});

pgliteOnly("a lock left by a dead process (PGlite only: on PostgreSQL there is none)", () => {
  it("is taken over by the next server after a kill -9, saying so in the log", async () => {
    const { root, env, lockFile } = dataDirectory();
    try {
      const killed = await startSenim(env);
      killed.child.kill("SIGKILL");
      await killed.exited;
      expect(existsSync(lockFile)).toBe(true);

      const next = await startSenim(env);
      const line = await next.waitForLog((l) => l.msg.startsWith("took over the PGlite lock"));
      expect(line).toMatchObject({ stalePid: killed.child.pid, staleProcess: "the Senim server" });
      await stopCleanly(next);
      expect(existsSync(lockFile)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("is taken over by npm run token when the lock file names a pid that no longer runs", async () => {
    const { root, env, lockFile } = dataDirectory();
    try {
      const gone = spawn(process.execPath, ["-e", ""]);
      await new Promise((resolve) => gone.once("exit", resolve));
      const stale = {
        pid: gone.pid,
        purpose: "npm run seed",
        startedAt: new Date(Date.now() - 3600_000).toISOString(),
        host: "elsewhere",
        nonce: "0",
      };
      mkdirSync(env.PGLITE_DIR, { recursive: true });
      writeFileSync(lockFile, JSON.stringify(stale));

      const run = await runCli("token", ["--role", "ADMIN", "--name", "After a crash"], env);
      expect(run.code).toBe(0);
      expect(tokenIn(run.stdout)).not.toBeNull();
      expect(run.stderr).toContain(`left by npm run seed, pid ${gone.pid}`);
      expect(existsSync(lockFile)).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("the first start of an empty database", () => {
  let root: string | null = null;
  let env: Record<string, string>;
  let drop: (() => Promise<void>) | null = null;
  /** The database the servers used, opened once they have stopped (PGlite) or beside them (PostgreSQL). */
  let inspect: () => Promise<Database>;
  beforeEach(async () => {
    if (onPostgres) {
      // The shared test database already holds principals: this needs an empty one.
      const own = await openPrivateDatabase();
      env = { DATABASE_URL: own.url! };
      drop = own.drop;
      inspect = async () => own.database;
    } else {
      const dir = dataDirectory();
      root = dir.root;
      env = dir.env;
      inspect = () => openDatabase({ pgliteDir: dir.env.PGLITE_DIR });
    }
  });
  afterEach(async () => {
    await stopAll();
    if (root) rmSync(root, { recursive: true, force: true });
    await drop?.();
    root = null;
    drop = null;
  });

  it("prints a one-time ADMIN token that works, audited; a restart prints none", async () => {
    const first = await startSenim(env);
    const notice = await first.waitForLog((l) => l.msg.startsWith("first start"));
    const token = tokenIn(first.stderr());
    expect(token).not.toBeNull();
    expect(first.stderr()).toContain("Authorization: Bearer <token>");
    expect(first.stderr()).toContain("will not be shown again");
    expect(first.stdout()).not.toContain(token!); // the JSON log is shipped and kept: never the token
    expect(await me(first.origin, token!)).toEqual({
      data: { me: { id: notice.principalId, role: "ADMIN" } },
    });
    await stopCleanly(first);

    const again = await startSenim(env);
    await again.waitForLog((l) => typeof l.startupMs === "number");
    expect(again.logLines().some((l) => l.msg.startsWith("first start"))).toBe(false);
    expect(tokenIn(again.stderr())).toBeNull();
    expect((await me(again.origin, token!)).data?.me?.id).toBe(notice.principalId);
    await stopCleanly(again);

    const database = await inspect();
    try {
      const rows = await database.db
        .select({ requestId: auditLog.requestId, principalId: auditLog.principalId })
        .from(auditLog)
        .where(
          and(
            eq(auditLog.action, "issueApiToken"),
            eq(auditLog.entityId, notice.principalId as string),
          ),
        );
      expect(rows).toEqual([
        { requestId: expect.stringMatching(/^first-start-/), principalId: null },
      ]);
    } finally {
      if (!onPostgres) await database.close();
    }
  });

  postgresOnly(
    "creates one ADMIN when several servers start at once on an empty database",
    async () => {
      const servers = await Promise.all([startSenim(env), startSenim(env), startSenim(env)]);
      await Promise.all(servers.map((s) => s.waitForLog((l) => typeof l.startupMs === "number")));
      expect(servers.filter((s) => tokenIn(s.stderr())).length).toBe(1);
      const database = await inspect();
      expect(await database.db.select({ name: principals.name }).from(principals)).toEqual([
        { name: FIRST_ADMIN_NAME },
      ]);
    },
  );
});

describe("createFirstAdmin", () => {
  it("creates one principal however many callers race on an empty database", async () => {
    const own = await openPrivateDatabase();
    try {
      const expiresAt = new Date(Date.now() + 3600_000);
      const results = await Promise.all(
        Array.from({ length: 4 }, () =>
          createFirstAdmin(own.database.db, expiresAt, testAuditKeys()),
        ),
      );
      expect(results.filter(Boolean).length).toBe(1);
      expect(await own.database.db.select({ role: principals.role }).from(principals)).toEqual([
        { role: "ADMIN" },
      ]);
    } finally {
      await own.drop();
    }
  });
});
