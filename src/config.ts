import { KeyRing } from "./crypto/keyring";
import { resolve } from "node:path";
import { TrustedProxies } from "./ratelimit/client-address";
import type { ExecutorKind } from "./graphql/executor";

/** The public operations limited per client address, or per token for INTAKE channels. */
export const RATE_LIMITED_OPERATIONS = [
  "submitComplaint",
  "submitCommendation",
  "complaintStatus",
  "submitComplaintFeedback",
  "trustMetrics",
  "trustMetricsSeries",
] as const;
export type RateLimitedOperation = (typeof RATE_LIMITED_OPERATIONS)[number];

export interface RateLimits {
  /** Length of one counting window; a bucket's window starts at its first hit. */
  windowSeconds: number;
  /** Calls per window per client address (IPv6: per /64); 0 = unlimited. Staff with a valid token are exempt. */
  perAddress: Record<RateLimitedOperation, number>;
  /** Calls per window per INTAKE token, whatever its address: `perAddress` × RATE_LIMIT_INTAKE_MULTIPLIER. */
  perIntakeToken: Record<RateLimitedOperation, number>;
  /** Failed access-code attempts per window per tracking number from one address; right codes are given back. 0 = unlimited. */
  accessAttempts: number;
  /** The same per tracking number from all addresses together: a ceiling far above one complainant's mistakes. */
  accessAttemptsPerNumber: number;
  /** Refused requests without a token per window per address that are recorded; past it, RATE_LIMITED. 0 = unlimited. */
  anonymousRefusals: number;
}

export interface Config {
  env: "development" | "test" | "production";
  port: number;
  host: string;
  /** METRICS_PORT: serve /metrics on this port only, not on the API's (0 = any free port); null = on the API's. */
  metricsPort: number | null;
  /** postgres:// URL; when absent the embedded PGlite in `pgliteDir` is used. Its role is the runtime role. */
  databaseUrl: string | null;
  /** The tables' owner, who migrates and grants the runtime role what it needs; null = the runtime role migrates. */
  migrationDatabaseUrl: string | null;
  pgliteDir: string;
  /** PostgreSQL connections per process; PGlite has one. The limits below are set on each as it opens (0 = off). */
  dbPoolMax: number;
  /**
   * Statements run as named statements, parsed once per connection, whose plans PostgreSQL can keep (all but
   * those marked PLANNED_PER_CALL); off sends every statement unnamed, as a transaction-mode PgBouncer before
   * 1.21 requires.
   */
  dbPreparedStatements: boolean;
  /** A statement running longer is cancelled (SQLSTATE 57014); lock waits count toward it. */
  dbStatementTimeoutMs: number;
  /** A statement waiting longer for a lock (a row, the audit chain) gives up (55P03). */
  dbLockTimeoutMs: number;
  /** A transaction left idle this long (a stuck process) loses its session, and with it its locks. */
  dbIdleInTransactionTimeoutMs: number;
  /** Opening a connection that takes longer fails, and so do the requests waiting for it. */
  dbConnectTimeoutMs: number;
  /** The connections' name in pg_stat_activity: tells a deployment's processes apart. */
  dbApplicationName: string;
  /** Largest request body accepted; the biggest legitimate one is a 1000-row officer import. */
  bodyLimitBytes: number;
  logLevel: string;
  /** Calendar dates ("today", deadlines) are taken in this zone. */
  timeZone: string;
  shutdownGraceMs: number;
  /** ENCRYPTION_KEYS, "id:base64key,...", first = active; null outside production means "use the key file". */
  encryptionKeys: KeyRing | null;
  /** Where a development installation keeps a generated key (beside the PGlite data). */
  encryptionKeyFile: string;
  /** AUDIT_KEY, "id:base64key,...", first = active: keys the audit chain and signs checkpoints; null = the key file. */
  auditKeys: KeyRing | null;
  /** Where a development installation keeps a generated audit key (beside the PGlite data). */
  auditKeyFile: string;
  /** AUDIT_CHECKPOINT_INTERVAL: seconds between signed chain heads written to the log; 0 = none. */
  auditCheckpointIntervalSeconds: number;
  /**
   * PUBLIC_METRICS_REFRESH_SECONDS: how long a year of public figures, suppressed as a whole, is kept before
   * it is built again from the roll-ups (the most public figures lag); 0 builds it for every request.
   */
  publicMetricsRefreshSeconds: number;
  rateLimits: RateLimits;
  /** TRUST_PROXY: the proxies whose X-Forwarded-For is believed; null = the socket's peer is the client. */
  trustedProxies: TrustedProxies | null;
  /** GRAPHQL_EXECUTOR: jit compiles each document once (graphql-jit); graphql-js interprets it every time. */
  graphqlExecutor: ExecutorKind;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

/** A variable's value; set but empty (a blank line in an env file) counts as unset. */
const text = (env: Env, name: string): string | undefined => env[name]?.trim() || undefined;

const onOff = (env: Env, name: string, fallback: boolean, problems: string[]) => {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (["on", "true"].includes(raw)) return true;
  if (["off", "false"].includes(raw)) return false;
  problems.push(`${name} must be on or off (got "${raw}")`);
  return fallback;
};

/** A key ring variable ("id:base64key,..."); required in production, where no key file is generated. */
function keyRing(env: Env, name: string, required: boolean, problems: string[]): KeyRing | null {
  const spec = text(env, name);
  if (!spec) {
    if (required)
      problems.push(
        `${name} is required in production: "id:base64 of 32 random bytes", e.g. from \`openssl rand -base64 32\``,
      );
    return null;
  }
  try {
    return KeyRing.parse(spec);
  } catch (e) {
    problems.push(`${name}: ${(e as Error).message}`);
    return null;
  }
}

const integer = (
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
) => {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  // Digits only: Number() would also take "1e3", "0x10" and "4000.0".
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
    return fallback;
  }
  return value;
};

/** Reads and checks every variable at once, so a bad deployment hears about all of its mistakes together. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const nodeEnv = text(env, "NODE_ENV") ?? "development";
  if (!["development", "test", "production"].includes(nodeEnv)) {
    problems.push(`NODE_ENV must be development, test or production (got "${nodeEnv}")`);
  }
  const databaseUrl = text(env, "DATABASE_URL") ?? null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push("DATABASE_URL must start with postgres:// or postgresql://");
  }
  const migrationDatabaseUrl = text(env, "MIGRATION_DATABASE_URL") ?? null;
  if (migrationDatabaseUrl && !/^postgres(ql)?:\/\//.test(migrationDatabaseUrl)) {
    problems.push("MIGRATION_DATABASE_URL must start with postgres:// or postgresql://");
  } else if (migrationDatabaseUrl && !databaseUrl) {
    problems.push("MIGRATION_DATABASE_URL is set without DATABASE_URL: PGlite has one user");
  }
  const logLevel = text(env, "LOG_LEVEL") ?? (nodeEnv === "test" ? "silent" : "info");
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)) {
    problems.push(
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}")`,
    );
  }
  const timeZone = text(env, "TIME_ZONE") ?? "Asia/Almaty";
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone });
  } catch {
    problems.push(`TIME_ZONE must be an IANA time zone such as Asia/Almaty (got "${timeZone}")`);
  }
  // Off by default under NODE_ENV=test, where one loopback address sends every test's requests.
  const limit = (name: string, fallback: number) =>
    integer(env, name, nodeEnv === "test" ? 0 : fallback, 0, 1_000_000, problems);
  // Sent in the connection's start-up packet: printable ASCII; PostgreSQL keeps 63 bytes of it.
  const dbApplicationName = text(env, "DB_APPLICATION_NAME") ?? "senim";
  if (!/^[\x20-\x7e]{1,63}$/.test(dbApplicationName)) {
    problems.push("DB_APPLICATION_NAME must be 1 to 63 printable ASCII characters");
  }
  const graphqlExecutor = text(env, "GRAPHQL_EXECUTOR") ?? "jit";
  if (!["jit", "graphql-js"].includes(graphqlExecutor)) {
    problems.push(`GRAPHQL_EXECUTOR must be jit or graphql-js (got "${graphqlExecutor}")`);
  }
  const rateLimits = (): RateLimits => {
    const windowSeconds = integer(env, "RATE_LIMIT_WINDOW_SECONDS", 600, 1, 86_400, problems);
    const perAddress: Record<RateLimitedOperation, number> = {
      submitComplaint: limit("RATE_LIMIT_SUBMIT_COMPLAINT", 20),
      submitCommendation: limit("RATE_LIMIT_SUBMIT_COMMENDATION", 20),
      complaintStatus: limit("RATE_LIMIT_COMPLAINT_STATUS", 60),
      submitComplaintFeedback: limit("RATE_LIMIT_SUBMIT_COMPLAINT_FEEDBACK", 20),
      // A public page loads it several times per visit: generous, yet a bound on one address's reads.
      trustMetrics: limit("RATE_LIMIT_TRUST_METRICS", 600),
      trustMetricsSeries: limit("RATE_LIMIT_TRUST_METRICS", 600),
    };
    const accessAttempts = limit("RATE_LIMIT_ACCESS_ATTEMPTS", 10);
    const accessAttemptsPerNumber = limit("RATE_LIMIT_ACCESS_ATTEMPTS_PER_NUMBER", 100);
    const anonymousRefusals = limit("RATE_LIMIT_ANONYMOUS_REFUSALS", 60);
    // An integration channel submits for many citizens: one token gets many addresses' worth.
    const intake = integer(env, "RATE_LIMIT_INTAKE_MULTIPLIER", 50, 1, 10_000, problems);
    const perIntakeToken = Object.fromEntries(
      RATE_LIMITED_OPERATIONS.map((op) => [op, perAddress[op] * intake]),
    ) as Record<RateLimitedOperation, number>;
    return {
      windowSeconds,
      perAddress,
      perIntakeToken,
      accessAttempts,
      accessAttemptsPerNumber,
      anonymousRefusals,
    };
  };
  const config: Config = {
    env: nodeEnv as Config["env"],
    port: integer(env, "PORT", 4000, 0, 65535, problems),
    metricsPort: text(env, "METRICS_PORT")
      ? integer(env, "METRICS_PORT", 0, 0, 65535, problems)
      : null,
    host: text(env, "HOST") ?? "0.0.0.0",
    databaseUrl,
    migrationDatabaseUrl,
    pgliteDir: resolve(text(env, "PGLITE_DIR") ?? "./data"),
    dbPoolMax: integer(env, "DB_POOL_MAX", 10, 1, 500, problems),
    dbPreparedStatements: onOff(env, "DB_PREPARED_STATEMENTS", true, problems),
    dbStatementTimeoutMs: integer(env, "DB_STATEMENT_TIMEOUT_MS", 15_000, 0, 3_600_000, problems),
    dbLockTimeoutMs: integer(env, "DB_LOCK_TIMEOUT_MS", 5_000, 0, 3_600_000, problems),
    dbIdleInTransactionTimeoutMs: integer(
      env,
      "DB_IDLE_IN_TRANSACTION_TIMEOUT_MS",
      60_000,
      0,
      3_600_000,
      problems,
    ),
    dbConnectTimeoutMs: integer(env, "DB_CONNECT_TIMEOUT_MS", 5_000, 100, 600_000, problems),
    dbApplicationName,
    bodyLimitBytes: integer(env, "BODY_LIMIT_BYTES", 2_097_152, 1024, 104_857_600, problems),
    logLevel,
    timeZone,
    shutdownGraceMs: integer(env, "SHUTDOWN_GRACE_MS", 10_000, 0, 600_000, problems),
    encryptionKeys: keyRing(env, "ENCRYPTION_KEYS", nodeEnv === "production", problems),
    encryptionKeyFile: resolve(
      env.ENCRYPTION_KEY_FILE || `${resolve(env.PGLITE_DIR || "./data")}.keys`,
    ),
    auditKeys: keyRing(env, "AUDIT_KEY", nodeEnv === "production", problems),
    auditKeyFile: resolve(env.AUDIT_KEY_FILE || `${resolve(env.PGLITE_DIR || "./data")}.audit-key`),
    auditCheckpointIntervalSeconds: integer(
      env,
      "AUDIT_CHECKPOINT_INTERVAL",
      0,
      0,
      604_800,
      problems,
    ),
    publicMetricsRefreshSeconds: integer(
      env,
      "PUBLIC_METRICS_REFRESH_SECONDS",
      nodeEnv === "test" ? 0 : 60,
      0,
      3_600,
      problems,
    ),
    rateLimits: rateLimits(),
    trustedProxies: null,
    graphqlExecutor: graphqlExecutor as ExecutorKind,
  };
  const trustProxy = text(env, "TRUST_PROXY");
  if (trustProxy && trustProxy.toLowerCase() !== "off") {
    try {
      config.trustedProxies = TrustedProxies.parse(trustProxy);
    } catch (e) {
      problems.push(`TRUST_PROXY: ${(e as Error).message}`);
    }
  }
  if (config.env === "production" && databaseUrl && !migrationDatabaseUrl) {
    problems.push(
      "MIGRATION_DATABASE_URL is required in production with DATABASE_URL: the tables' owner migrates, so that DATABASE_URL's role cannot alter them or disable the audit triggers",
    );
  }
  if (problems.length)
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
  return config;
}
