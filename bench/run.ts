import "reflect-metadata";
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { loadConfig } from "../src/config";
import { openConfiguredDatabase } from "../src/db/open";
import { createLogger } from "../src/logger";
import { createPrincipal } from "../src/auth/token";
import { seedDemo } from "../src/cli/seed";

/**
 * `npm run bench`: seeds demo officers, starts the real server as a separate process (so the load
 * generator does not share its event loop) and drives each scenario with autocannon over loopback.
 * BENCH_OFFICERS (default 20000), BENCH_SECONDS (default 10), BENCH_CONNECTIONS (default 10);
 * DATABASE_URL selects PostgreSQL, otherwise a fresh PGlite directory is used.
 */
const OFFICERS = Number(process.env.BENCH_OFFICERS ?? 20_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function main() {
  const env: Record<string, string | undefined> = {
    ...process.env,
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
    ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS ?? `bench:${randomBytes(32).toString("base64")}`,
  };
  if (!env.DATABASE_URL) env.PGLITE_DIR = mkdtempSync(join(tmpdir(), "senim-bench-"));
  const config = loadConfig(env);
  const database = await openConfiguredDatabase(config, createLogger("warn", 2));
  const seeded = { officersCreated: OFFICERS, ...(await seedDemo(database.db, (await import("../src/crypto/keys")).loadKeyRing(config, createLogger("warn", 2)), { officers: OFFICERS, complaints: 0, districtsPerRegion: 5, seed: 1 })) };
  const { token: admin } = await createPrincipal(database.db, { role: "ADMIN", name: "bench admin" });
  const { token: investigator } = await createPrincipal(database.db, { role: "INVESTIGATOR", name: "bench investigator" });
  await database.close();

  const port = await freePort();
  const server = spawn(process.execPath, [join(__dirname, "..", "src", "main.js")], {
    env: { ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; i < 200; i++) {
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const gql = (token: string, query: string, variables: object = {}) => ({
    method: "POST" as const,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const scenarios: { name: string; options: autocannon.Options }[] = [
    { name: "me (token lookup only)", options: { url, ...gql(investigator, "{ me { id role } }") } },
    {
      name: "officers(unitCode: region, first: 100) with unit, parent, assignments",
      options: {
        url,
        ...gql(
          investigator,
          `query($u: String) { officers(filter: { unitCode: $u }, first: 100) { totalCount edges { node { badgeNumber fullName rank unit { code parent { code } } assignments { unit { code } from to } } } } }`,
          { u: "KZ-ALA" },
        ),
      },
    },
    {
      name: "officerStandings(region, first: 50): standing computed over the region",
      options: {
        url,
        ...gql(
          investigator,
          `query($u: String) { officerStandings(unitCode: $u, first: 50) { totalCount edges { node { standing officer { badgeNumber } earlyWarnings { rule count } } } } }`,
          { u: "KZ-ALA" },
        ),
      },
    },
    {
      name: "submitComplaint (public form: idempotency claim, counter, sealed data, audit)",
      options: {
        url,
        method: "POST",
        headers: { "content-type": "application/json" },
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              body: JSON.stringify({
                query: `mutation($input: SubmitComplaintInput!) { submitComplaint(input: $input) { receipt { trackingNumber } } }`,
                variables: {
                  input: {
                    idempotencyKey: randomUUID(),
                    channel: "WEB_FORM",
                    incidentAt: new Date(Date.now() - 86_400_000).toISOString(),
                    unitCode: "KZ-AST",
                    narrative: "The officer was rude and refused to take my statement.",
                    categories: ["DISCOURTESY"],
                    officers: [{ badgeNumber: `DEMO-${String(1 + Math.floor(Math.random() * Math.min(OFFICERS, 1000))).padStart(7, "0")}` }],
                    complainant: { fullName: "Bench Complainant", email: "bench@example.kz", type: "VICTIM" },
                  },
                },
              }),
            }),
          },
        ],
      },
    },
    {
      name: "createOfficer (one transaction + chained audit record)",
      options: {
        url,
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
        requests: [
          {
            setupRequest: (req) => ({
              ...req,
              body: JSON.stringify({
                query: `mutation($input: CreateOfficerInput!) { createOfficer(input: $input) { officer { id } } }`,
                variables: { input: { badgeNumber: `BENCH-${randomBytes(6).toString("hex").toUpperCase()}`, fullName: "Bench Officer", rank: "SERGEANT", unitCode: "KZ-AST", hiredAt: "2020-01-01" } },
              }),
            }),
          },
        ],
      },
    },
  ];

  console.log(`Senim benchmarks: ${config.databaseUrl ? "PostgreSQL" : "PGlite"}, ${seeded.officersCreated} officers seeded, ${SECONDS}s x ${CONNECTIONS} connections per scenario\n`);
  console.log("scenario".padEnd(80), "req/s".padStart(8), "p50 ms".padStart(8), "p97.5 ms".padStart(9), "p99 ms".padStart(8), "errors".padStart(7));
  try {
    for (const scenario of scenarios) {
      const result = await autocannon({ ...scenario.options, duration: SECONDS, connections: CONNECTIONS });
      const failed = result.errors + result.non2xx + result.timeouts;
      console.log(
        scenario.name.padEnd(80),
        result.requests.average.toFixed(0).padStart(8),
        String(result.latency.p50).padStart(8),
        String(result.latency.p97_5).padStart(9),
        String(result.latency.p99).padStart(8),
        String(failed).padStart(7),
      );
    }
  } finally {
    server.kill("SIGTERM");
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
