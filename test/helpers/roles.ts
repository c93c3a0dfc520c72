import { randomBytes } from "node:crypto";
import postgres from "postgres";

export interface SeparateRoles {
  owner: string;
  runtime: string;
  /** A connection URL for the new database as this role. */
  urlAs(role: string): string;
  /** A server's variables: DATABASE_URL as the runtime role, MIGRATION_DATABASE_URL as the owner. */
  env: { DATABASE_URL: string; MIGRATION_DATABASE_URL: string };
  drop(): Promise<void>;
}

/**
 * As the test run's superuser (DATABASE_URL, PostgreSQL only): two fresh login roles, the tables' owner and
 * the runtime role, and a fresh database owned by the owner, as an operator sets them up (README).
 */
export async function createSeparateRoles(): Promise<SeparateRoles> {
  const suffix = randomBytes(4).toString("hex");
  const [owner, runtime] = [`senim_owner_${suffix}`, `senim_app_${suffix}`];
  // Named after the test database, as openPrivateDatabase names its own.
  const base = new URL(process.env.DATABASE_URL!).pathname.slice(1).replace(/[^a-z0-9_]/gi, "");
  const name = `${base.slice(0, 40) || "senim"}_roles_${suffix}`.toLowerCase();
  // Ignored under trust authentication, needed under any other.
  const password = randomBytes(12).toString("hex");
  const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create role ${owner} login password '${password}'`);
  await admin.unsafe(`create role ${runtime} login password '${password}'`);
  await admin.unsafe(`create database ${name} owner ${owner}`);
  const urlAs = (role: string) => {
    const url = new URL(process.env.DATABASE_URL!);
    url.username = role;
    url.password = role === owner || role === runtime ? password : url.password;
    url.pathname = `/${name}`;
    return url.toString();
  };
  return {
    owner,
    runtime,
    urlAs,
    env: { DATABASE_URL: urlAs(runtime), MIGRATION_DATABASE_URL: urlAs(owner) },
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.unsafe(`drop owned by ${owner}, ${runtime}`);
      await admin.unsafe(`drop role ${runtime}`);
      await admin.unsafe(`drop role ${owner}`);
      await admin.end();
    },
  };
}
