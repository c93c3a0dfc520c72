import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(__dirname, "..", "..");
/** Where jest's globalSetup compiles src/ before any test file runs: apart from `npm run build`'s dist/src. */
export const BUILD_DIR = join(ROOT, "dist", "test-build");
/** A compiled entry point: `main`, or a command-line tool such as `cli/token`. */
export const built = (name: string) => join(BUILD_DIR, "src", `${name}.js`);
export const MAIN = built("main");

export type LogLine = Record<string, unknown> & { level: number; msg: string; requestId?: string };

export interface SenimProcess {
  child: ChildProcess;
  /** http://127.0.0.1:port */
  origin: string;
  stdout(): string;
  stderr(): string;
  /** Every stdout line so far, parsed; fails the test on a line that is not JSON. */
  logLines(): LogLine[];
  /** The first log line (already written or still to come) that matches; rejects if the process exits first. */
  waitForLog(matches: (line: LogLine) => boolean): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the process if it still runs and removes its data directory. Safe to call twice. */
  stop(): Promise<void>;
}

const running = new Set<SenimProcess>();

/** Rate limits off: every test process is called from loopback. A test about the limits sets its own. */
export const NO_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_SUBMIT_COMPLAINT: "0",
  RATE_LIMIT_SUBMIT_COMMENDATION: "0",
  RATE_LIMIT_COMPLAINT_STATUS: "0",
  RATE_LIMIT_SUBMIT_COMPLAINT_FEEDBACK: "0",
  RATE_LIMIT_TRUST_METRICS: "0",
  RATE_LIMIT_ACCESS_ATTEMPTS: "0",
  RATE_LIMIT_ACCESS_ATTEMPTS_PER_NUMBER: "0",
  RATE_LIMIT_ANONYMOUS_REFUSALS: "0",
};

/** Kills every process this file started and has not stopped: for afterAll, whatever happened. */
export const stopAll = () => Promise.all([...running].map((p) => p.stop()));

/** A port nobody listens on right now, found by letting the system pick one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Runs `node dist/src/main.js` with only the variables given (plus PATH), on loopback, logging at info.
 * Without DATABASE_URL in the test environment it gets a fresh PGlite directory of its own.
 */
export function spawnSenim(env: Record<string, string>): SenimProcess {
  const dataDir = mkdtempSync(join(tmpdir(), "senim-process-"));
  const base: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    NODE_ENV: "development",
    LOG_LEVEL: "info",
    HOST: "127.0.0.1",
    ...NO_RATE_LIMITS,
    ...(process.env.DATABASE_URL
      ? { DATABASE_URL: process.env.DATABASE_URL }
      : { PGLITE_DIR: join(dataDir, "data") }),
    // Production refuses to start without keys; development generates a key file beside the data.
    ...(env.NODE_ENV === "production" && process.env.ENCRYPTION_KEYS
      ? { ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS }
      : {}),
    ENCRYPTION_KEY_FILE: join(dataDir, "data.keys"),
    // One audit key for every process on a shared test database, or their records would not verify in each other's.
    ...(process.env.AUDIT_KEY ? { AUDIT_KEY: process.env.AUDIT_KEY } : {}),
    AUDIT_KEY_FILE: join(dataDir, "data.audit-key"),
  };
  const child = spawn(process.execPath, [MAIN], {
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    for (const wake of waiters) wake();
  });
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => {
    gone = true;
    for (const wake of waiters) wake();
  });

  const logLines = () =>
    out
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map((line) => {
        try {
          return JSON.parse(line) as LogLine;
        } catch {
          throw new Error(`stdout line is not JSON: ${line}`);
        }
      });

  const senim: SenimProcess = {
    child,
    origin: `http://127.0.0.1:${env.PORT ?? "?"}`,
    stdout: () => out,
    stderr: () => err,
    logLines,
    exited,
    waitForLog(matches) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logLines().find(matches);
          if (found || gone) waiters.delete(check);
          if (found) resolve(found);
          else if (gone)
            reject(
              new Error(
                `process exited before the expected log line.\nstdout:\n${out}\nstderr:\n${err}`,
              ),
            );
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      running.delete(senim);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
      if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  running.add(senim);
  return senim;
}

/** Starts the server on a free port and waits until /readyz says 200; fails with its output if it never does. */
export async function startSenim(env: Record<string, string> = {}): Promise<SenimProcess> {
  const port = await freePort();
  const senim = spawnSenim({ PORT: String(port), ...env });
  let exited = false;
  void senim.exited.then(() => (exited = true));
  // A bound, not a measurement: a fresh PGlite directory takes seconds to create on a busy machine.
  for (const deadline = Date.now() + 90_000; Date.now() < deadline && !exited;) {
    const status = await fetch(`${senim.origin}/readyz`).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return senim;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await senim.stop();
  throw new Error(
    `Senim did not become ready.\nstdout:\n${senim.stdout()}\nstderr:\n${senim.stderr()}`,
  );
}
