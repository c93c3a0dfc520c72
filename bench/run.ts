import "reflect-metadata";
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { sql } from "drizzle-orm";
import { loadConfig } from "../src/config";
import { prepared, preparedRows, rows, type Database } from "../src/db/client";
import { openConfiguredDatabase } from "../src/db/open";
import { createLogger } from "../src/logger";
import { issuePrincipal } from "../src/auth/token";
import { loadAuditKeys, loadKeyRing } from "../src/crypto/keys";
import { cliArgs, integerOption } from "../src/cli/args";
import { seedDemo } from "../src/cli/seed";
import { contractOperation } from "../test/helpers/contract";

const USAGE =
  "npm run bench -- [--officers N] [--complaints M] [--seconds S] [--warmup S] [--connections C] [--only A,B] [--fail-on-errors] [--compare URL]";

/**
 * `npm run bench`: the server as a separate process (so the load generator does not share its event
 * loop) against a seeded database, each scenario driven by autocannon over loopback with the contract's
 * own documents, beside two floors measured the same way: a bare Node HTTP server and a bare indexed
 * select. DATABASE_URL selects PostgreSQL (seeded first if it holds no seeded officers), otherwise a
 * fresh PGlite directory is seeded with --officers/--complaints.
 */
interface Measured {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  statementsPerRequest: number | null;
  /** The server process's CPU (user + system) per request, in ms. */
  cpuPerRequest: number | null;
  note?: string;
}

interface Request {
  token?: string;
  operation: string;
  variables: () => object;
}

interface Scenario extends Request {
  name: string;
}

const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)];

/** Forks a script that answers { port } once listening. */
function startChild(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, script), [], {
      env,
      // As `npm start` runs the server (package.json, Dockerfile), plus the bench's own Node flags
      // (`node --cpu-prof dist/bench/run.js` profiles the server too).
      execArgv: [...process.execArgv, "--max-semi-space-size=64"],
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    });
    child.once("message", (message: { port: number }) => resolve({ child, port: message.port }));
    child.once("exit", (code) =>
      reject(new Error(`${script} exited with ${code} before listening`)),
    );
  });
}

interface Counters {
  statements: number;
  cpuMicros: number;
}

/** The SQL statements the server has sent so far, and its CPU time (bench/server.ts answers over IPC). */
function countersOf(child: ChildProcess): Promise<Counters> {
  return new Promise((resolve) => {
    child.once("message", (message: Counters) => resolve(message));
    child.send("counters");
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

/**
 * The database's own floor: a select by primary key, `connections` at a time, through the bare driver
 * (a named statement run by postgres.js, or PGlite's query) with no ORM or GraphQL around it.
 */
async function bareSelect(
  database: Database,
  seconds: number,
  connections: number,
): Promise<Measured> {
  const ids = (
    await rows<{ id: string }>(
      database.db,
      sql`select id from officers order by badge_number limit 1000`,
    )
  ).map((r) => r.id);
  const select = prepared((db) =>
    preparedRows(
      db,
      sql`select id, badge_number, full_name, rank, status from officers where id = ${sql.placeholder("id")}`,
    ),
  );
  const query = (id: string) => select(database.db, { id });
  const latencies: number[] = [];
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) {
        const t = process.hrtime.bigint();
        await query(pick(ids)).catch(() => errors++);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name: `bare ${database.kind === "postgres" ? "PostgreSQL" : "PGlite"} select by primary key`,
    requestsPerSecond: latencies.length / elapsed,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    errors,
    statementsPerRequest: 1,
    cpuPerRequest: null,
  };
}

/** One scenario under autocannon; GraphQL errors (HTTP 200 with "errors") count as errors too. */
async function drive(
  name: string,
  url: string,
  request: Request | null,
  options: { seconds: number; warmup: number; connections: number },
  server?: ChildProcess,
): Promise<Measured> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (request?.token) headers.authorization = `Bearer ${request.token}`;
  const body = () => JSON.stringify({ query: request!.operation, variables: request!.variables() });
  const base: autocannon.Options = {
    url,
    method: "POST",
    headers,
    connections: options.connections,
    ...(request
      ? {
          requests: [{ setupRequest: (req: object) => ({ ...req, body: body() }) }],
          verifyBody: (text: unknown) => !String(text).includes('"errors"'),
        }
      : { body: "{}" }),
  };
  if (options.warmup > 0) await autocannon({ ...base, duration: options.warmup });
  const before = server && (await countersOf(server));
  const result = await autocannon({ ...base, duration: options.seconds });
  const after = server && (await countersOf(server));
  const total = result.requests.total;
  const perRequest = (of: (c: Counters) => number, scale = 1) =>
    before && after && total ? (of(after) - of(before)) / total / scale : null;
  return {
    name,
    requestsPerSecond: total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx + result.mismatches,
    statementsPerRequest: perRequest((c) => c.statements),
    cpuPerRequest: perRequest((c) => c.cpuMicros, 1000),
  };
}

/** One request as a client would send it: null when fine, else the first error (code and message). */
async function tryOnce(
  url: string,
  request: Request,
): Promise<{ code?: string; message: string } | null> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(request.token ? { authorization: `Bearer ${request.token}` } : {}),
    },
    body: JSON.stringify({ query: request.operation, variables: request.variables() }),
  });
  const result = (await response.json()) as {
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  const error = result.errors?.[0];
  return error ? { code: error.extensions?.code, message: error.message } : null;
}

async function main() {
  const args = cliArgs(
    {
      officers: { type: "string", default: "20000" },
      complaints: { type: "string", default: "100000" },
      seconds: { type: "string", default: "10" },
      warmup: { type: "string", default: "3" },
      connections: { type: "string", default: "10" },
      only: { type: "string" },
      "fail-on-errors": { type: "boolean", default: false },
      compare: { type: "string" },
    },
    USAGE,
  );
  const options = {
    seconds: integerOption(args.seconds, "--seconds", 1, 600, USAGE),
    warmup: integerOption(args.warmup, "--warmup", 0, 60, USAGE),
    connections: integerOption(args.connections, "--connections", 1, 1000, USAGE),
  };
  const seedSize = {
    officers: integerOption(args.officers, "--officers", 20, 2_000_000, USAGE),
    complaints: integerOption(args.complaints, "--complaints", 0, 2_500_000, USAGE),
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
    // autocannon sends every request from one address: the per-address limits still count each call
    // (their cost is part of the figure) but are set too high to refuse one.
    RATE_LIMIT_SUBMIT_COMPLAINT: process.env.RATE_LIMIT_SUBMIT_COMPLAINT ?? "1000000",
    RATE_LIMIT_SUBMIT_COMMENDATION: process.env.RATE_LIMIT_SUBMIT_COMMENDATION ?? "1000000",
    RATE_LIMIT_COMPLAINT_STATUS: process.env.RATE_LIMIT_COMPLAINT_STATUS ?? "1000000",
    RATE_LIMIT_SUBMIT_COMPLAINT_FEEDBACK:
      process.env.RATE_LIMIT_SUBMIT_COMPLAINT_FEEDBACK ?? "1000000",
    RATE_LIMIT_TRUST_METRICS: process.env.RATE_LIMIT_TRUST_METRICS ?? "1000000",
    HOST: "127.0.0.1",
    PORT: "0",
    ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS ?? `bench:${randomBytes(32).toString("base64")}`,
    AUDIT_KEY: process.env.AUDIT_KEY ?? `bench:${randomBytes(32).toString("base64")}`,
  };
  // Production wants the owner's URL beside DATABASE_URL; the bench's one role owns what it seeded.
  if (env.DATABASE_URL) env.MIGRATION_DATABASE_URL ??= env.DATABASE_URL;
  if (!env.DATABASE_URL && !env.PGLITE_DIR)
    env.PGLITE_DIR = join(mkdtempSync(join(tmpdir(), "senim-bench-")), "data");
  const config = loadConfig(env);
  const log = createLogger("warn", 2);

  const database = await openConfiguredDatabase(config, log);
  let seeded: object;
  const count = async (query: ReturnType<typeof sql>) =>
    (await rows<{ n: number }>(database.db, query))[0].n;
  const demoOfficers = await count(
    sql`select count(*)::int as n from officers where badge_number like 'DEMO-%'`,
  );
  if (demoOfficers === 0) {
    process.stderr.write(
      `bench: seeding ${seedSize.officers} officers and ${seedSize.complaints} complaints\n`,
    );
    seeded = await seedDemo(
      database.db,
      { keys: loadKeyRing(config, log), auditKeys: loadAuditKeys(config, log) },
      {
        ...seedSize,
        seed: 1,
        districtsPerRegion: 10,
      },
    );
  } else {
    seeded = {
      officers: demoOfficers,
      complaints: await count(sql`select count(*)::int as n from complaints`),
      note: "the database was seeded already; --officers/--complaints are ignored",
    };
  }
  const officers = await count(
    sql`select count(*)::int as n from officers where badge_number like 'DEMO-%'`,
  );
  const regions = (
    await rows<{ code: string }>(
      database.db,
      sql`select code from units where kind = 'REGION' order by code`,
    )
  ).map((r) => r.code);
  const districts = (
    await rows<{ code: string }>(
      database.db,
      sql`select code from units where kind = 'DISTRICT' and code like 'KZ-%-D%' order by code`,
    )
  ).map((r) => r.code);
  const unitIds = new Map(
    (await rows<{ code: string; id: string }>(database.db, sql`select code, id from units`)).map(
      (u) => [u.code, u.id],
    ),
  );
  const token = async (role: "INVESTIGATOR" | "HR") =>
    (
      await issuePrincipal(
        database.db,
        {
          principal: null,
          requestId: `bench-${process.pid}`,
          auditKeys: loadAuditKeys(config, log),
        },
        { role, name: `bench ${role.toLowerCase()}` },
      )
    ).token;
  const investigator = await token("INVESTIGATOR");
  const hr = await token("HR");
  const badge = () => `DEMO-${String(1 + Math.floor(Math.random() * officers)).padStart(7, "0")}`;

  process.stderr.write(`bench: floors (bare select, bare HTTP), ${options.seconds} s each\n`);
  const floors: Measured[] = [await bareSelect(database, options.seconds, options.connections)];
  await database.close();
  const bare = await startChild("bare-http.js", env);
  try {
    floors.unshift(
      await drive("bare Node HTTP round trip", `http://127.0.0.1:${bare.port}/`, null, options),
    );
  } finally {
    await stop(bare.child);
  }

  // The public asks for whole calendar years (or quarters, months): the last one that has ended.
  const year = new Date().getUTCFullYear();
  const lastYear = { from: `${year - 1}-01-01`, to: `${year}-01-01` };
  const scenarios: Scenario[] = [
    {
      name: "Me (token lookup: the GraphQL floor)",
      token: investigator,
      operation: contractOperation("Me"),
      variables: () => ({}),
    },
    {
      name: "UnitRoster (district, first 50)",
      token: investigator,
      operation: contractOperation("UnitRoster"),
      variables: () => ({ unitCode: pick(districts), first: 50 }),
    },
    {
      name: "CaseQueue (region, REGISTERED+ASSIGNED, overdue, first 50)",
      token: investigator,
      operation: contractOperation("CaseQueue"),
      variables: () => ({
        filter: { status: ["REGISTERED", "ASSIGNED"], unitCode: pick(regions), overdue: true },
        first: 50,
      }),
    },
    {
      name: "OfficerProfile (one officer, allegations and commendations)",
      token: investigator,
      operation: contractOperation("OfficerProfile"),
      variables: () => ({ badgeNumber: badge() }),
    },
    {
      name: "OfficerStanding (one officer)",
      token: hr,
      operation: contractOperation("OfficerStanding"),
      variables: () => ({ badgeNumber: badge() }),
    },
    {
      name: "officerStandings (region, first 50)",
      token: hr,
      operation: contractOperation("UnitStandings"),
      variables: () => ({ unitCode: pick(regions), first: 50 }),
    },
    {
      name: "TrustMetrics (MVD, last calendar year, with children)",
      operation: contractOperation("TrustMetrics"),
      variables: () => ({ scope: "MVD", ...lastYear }),
    },
    {
      // A variable the operation does not declare is ignored by execution, but makes every body new: this
      // is the same request executed in full each time, never answered from the public response cache.
      name: "TrustMetrics uncached (the same, a new body each time)",
      operation: contractOperation("TrustMetrics"),
      variables: () => ({ scope: "MVD", ...lastYear, unused: randomUUID() }),
    },
    {
      name: "SubmitComplaint (fresh idempotency key)",
      operation: contractOperation("SubmitComplaint"),
      variables: () => ({
        input: {
          idempotencyKey: randomUUID(),
          channel: "WEB_FORM",
          incidentAt: new Date(Date.now() - 86_400_000).toISOString(),
          incidentPlace: "Kabanbay Batyr Ave 12",
          unitCode: pick(regions),
          narrative: "The officer was rude and refused to take my statement.",
          categories: ["DISCOURTESY"],
          officers: [{ badgeNumber: badge() }],
          complainant: { fullName: "Bench Complainant", email: "bench@example.kz", type: "VICTIM" },
          language: "RU",
        },
      }),
    },
  ];
  const only = args.only?.split(",").map((s) => s.trim().toLowerCase());
  const chosen = only
    ? scenarios.filter((s) => only.some((o) => s.name.toLowerCase().startsWith(o)))
    : scenarios;

  const server = await startChild("server.js", env);
  const url = `http://127.0.0.1:${server.port}/graphql`;
  const measured: Measured[] = [];
  const compared: { name: string; senim: Measured; other: Measured }[] = [];
  try {
    if (args.compare) {
      // The same reads, with the same variables, on Senim and on another GraphQL server over the same database.
      const other = (file: string) =>
        readFileSync(join(__dirname, "..", "..", "bench", "postgraphile", file), "utf8");
      const pairs = [
        {
          name: "officer profile",
          senim: contractOperation("OfficerProfile"),
          other: other("officer-profile.graphql"),
          variables: () => ({ badgeNumber: badge() }),
        },
        {
          name: "50-officer roster with allegations and commendations",
          senim: contractOperation("UnitRoster"),
          other: other("unit-roster.graphql"),
          variables: () => ({ unitCode: pick(districts), first: 50 }),
        },
        {
          name: "case queue (district, REGISTERED, first 50)",
          senim: contractOperation("CaseQueue"),
          other: other("case-queue.graphql"),
          variables: () => {
            const unitCode = pick(districts);
            return {
              filter: { status: ["REGISTERED"], unitCode },
              unitId: unitIds.get(unitCode),
              first: 50,
            };
          },
        },
      ];
      for (const pair of pairs) {
        process.stderr.write(`bench: compare ${pair.name}\n`);
        const senim = { token: investigator, operation: pair.senim, variables: pair.variables };
        const theirs = { operation: pair.other, variables: pair.variables };
        for (const request of [senim, theirs]) {
          const error = await tryOnce(request === senim ? url : args.compare, request);
          if (error) throw new Error(`${pair.name}: ${error.code} ${error.message}`);
        }
        compared.push({
          name: pair.name,
          senim: await drive(pair.name, url, senim, options, server.child),
          other: await drive(pair.name, args.compare, theirs, options),
        });
      }
    }
    for (const scenario of chosen) {
      const error = await tryOnce(url, scenario);
      if (error?.code === "GRAPHQL_VALIDATION_FAILED") {
        process.stderr.write(
          `bench: skipping ${scenario.name}: the schema refuses the contract document (${error.message})\n`,
        );
        measured.push({
          name: scenario.name,
          requestsPerSecond: 0,
          p50: 0,
          p99: 0,
          errors: 0,
          statementsPerRequest: null,
          cpuPerRequest: null,
          note: `skipped: ${error.message}`,
        });
        continue;
      }
      if (error)
        process.stderr.write(
          `bench: ${scenario.name} answers with an error: ${error.code} ${error.message}\n`,
        );
      process.stderr.write(`bench: ${scenario.name}\n`);
      measured.push(await drive(scenario.name, url, scenario, options, server.child));
    }
  } finally {
    await stop(server.child);
  }

  const [http, select] = floors;
  // autocannon reports whole milliseconds: 0 means under one.
  const ms = (v: number) => (v === 0 ? "<1" : v < 10 ? v.toFixed(1) : v.toFixed(0));
  const line = (m: Measured) =>
    [
      m.name.padEnd(60),
      m.requestsPerSecond.toFixed(0).padStart(8),
      ms(m.p50).padStart(7),
      ms(m.p99).padStart(7),
      String(m.errors).padStart(6),
      (m.statementsPerRequest === null ? "-" : m.statementsPerRequest.toFixed(1)).padStart(6),
      (m.cpuPerRequest === null ? "-" : m.cpuPerRequest.toFixed(2)).padStart(7),
      (m.requestsPerSecond / http.requestsPerSecond).toFixed(3).padStart(8),
      (m.statementsPerRequest === null
        ? "-"
        : ((m.requestsPerSecond * m.statementsPerRequest) / select.requestsPerSecond).toFixed(3)
      ).padStart(8),
      m.note ? ` ${m.note}` : "",
    ].join(" ");
  const kind = config.databaseUrl ? "PostgreSQL" : "PGlite";
  console.log(
    `\nSenim benchmarks: ${kind}, ${JSON.stringify(seeded)}; ${options.seconds} s x ${options.connections} connections per scenario, ${cpus().length} cores, Node ${process.version}`,
  );
  console.log(
    "CPU ms: the server process's CPU per request. ÷HTTP: requests/s as a share of the bare HTTP round trip's. DB: statements/s as a share of the bare select's.\n",
  );
  console.log(
    [
      "scenario".padEnd(60),
      "req/s".padStart(8),
      "p50 ms".padStart(7),
      "p99 ms".padStart(7),
      "errors".padStart(6),
      "SQL/rq".padStart(6),
      "CPU ms".padStart(7),
      "÷HTTP".padStart(8),
      "DB".padStart(8),
    ].join(" "),
  );
  for (const m of [...floors, ...measured]) console.log(line(m));
  if (compared.length) {
    console.log(
      `\nThe same reads against ${args.compare} (req/s and p99 ms; ratio = Senim / other):\n`,
    );
    for (const c of compared)
      console.log(
        [
          c.name.padEnd(60),
          `Senim ${c.senim.requestsPerSecond.toFixed(0).padStart(6)} ${ms(c.senim.p99).padStart(6)}`,
          `other ${c.other.requestsPerSecond.toFixed(0).padStart(6)} ${ms(c.other.p99).padStart(6)}`,
          `ratio ${(c.senim.requestsPerSecond / c.other.requestsPerSecond).toFixed(2)}`,
        ].join("  "),
      );
  }

  const results = {
    at: new Date().toISOString(),
    database: kind,
    seeded,
    cores: cpus().length,
    node: process.version,
    ...options,
    floors,
    scenarios: measured,
    ...(compared.length ? { compare: { url: args.compare, pairs: compared } } : {}),
  };
  const dir = join(__dirname, "..", "..", "bench", "results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${results.at.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nresults: ${file}`);
  // For CI's smoke run: a scenario that errors or no longer matches the schema has rotted.
  const broken = measured.filter((m) => m.errors > 0 || m.note);
  if (args["fail-on-errors"] && broken.length) {
    console.error(`bench: ${broken.map((m) => m.name).join("; ")}: errors or skipped`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
