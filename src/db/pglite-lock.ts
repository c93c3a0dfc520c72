import { randomBytes } from "node:crypto";
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

/** Inside the data directory, as PostgreSQL's own postmaster.pid is: it moves and links with it. */
export const LOCK_FILE = "senim.lock";

/** What a lock file records: enough for the refusal to name the process that holds the directory. */
export interface LockHolder {
  pid: number;
  /** What the process is: "the Senim server", "npm run token", ... */
  purpose: string;
  startedAt: string;
  host: string;
  /** Tells this process's lock from one a later process with a reused pid wrote. */
  nonce: string;
}

export interface DataDirLock {
  file: string;
  /** The holder of a lock that was left behind by a process no longer running, now replaced by ours. */
  tookOverFrom: LockHolder | "unreadable" | null;
  /** Removes the lock file if it is still ours; safe to call twice. */
  release(): void;
}

/** Another process has the directory open. The message says who, and what to do instead. */
export class DataDirInUseError extends Error {
  constructor(
    readonly holder: LockHolder,
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/** The directories this process holds, so that opening one twice in one process is refused too. */
const heldHere = new Set<string>();

/**
 * Takes the exclusive lock on a PGlite data directory (which must exist), or throws DataDirInUseError
 * naming the process that holds it. A lock whose process is gone (kill -9, power cut) is taken over.
 * `advice` is added to the refusal: what the caller's user can do instead.
 */
export async function lockDataDir(dir: string, purpose: string, advice = ""): Promise<DataDirLock> {
  const file = join(dir, LOCK_FILE);
  if (heldHere.has(file)) throw new Error(`${dir} is already open in this process`);
  const me: LockHolder = {
    pid: process.pid,
    purpose,
    startedAt: new Date().toISOString(),
    host: hostname(),
    nonce: randomBytes(8).toString("hex"),
  };
  let tookOverFrom: DataDirLock["tookOverFrom"] = null;
  // Each pass either takes the lock, refuses, or removes a dead holder's lock; a few passes settle any race.
  for (let pass = 0; pass < 5; pass++) {
    if (createExclusive(file, me)) {
      heldHere.add(file);
      const release = () => {
        process.off("exit", release);
        heldHere.delete(file);
        if (readHolder(file)?.raw === JSON.stringify(me)) unlinkSync(file);
      };
      // A tool that calls process.exit() before closing the database still frees the directory.
      process.on("exit", release);
      return { file, tookOverFrom, release };
    }
    const found = readHolder(file) ?? (await settled(file));
    if (!found) continue; // released meanwhile: try again
    if (found.holder && alive(found.holder, file)) {
      throw new DataDirInUseError(found.holder, file, refusal(dir, file, found.holder, advice));
    }
    if (removeIfUnchanged(file, found.raw)) tookOverFrom = found.holder ?? "unreadable";
  }
  throw new Error(`could not lock ${dir}: ${file} keeps changing hands`);
}

/** The lock in one step: O_EXCL create fails if the file exists, on every local file system. */
function createExclusive(file: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, "wx", 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(me));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

type Found = { raw: string; holder: LockHolder | null };

function readHolder(file: string): Found | null {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  try {
    const holder = JSON.parse(raw) as LockHolder;
    return { raw, holder: Number.isInteger(holder.pid) && holder.pid > 0 ? holder : null };
  } catch {
    return { raw, holder: null };
  }
}

/** An unreadable lock may be one being written this instant: look again before calling it dead. */
async function settled(file: string): Promise<Found | null> {
  let found = readHolder(file);
  for (let i = 0; i < 10 && found && !found.holder; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    found = readHolder(file);
  }
  return found;
}

function alive(holder: LockHolder, file: string): boolean {
  // Our own pid in a lock we do not hold is a previous life of this pid (a container's pid 1, restarted).
  if (holder.pid === process.pid) return heldHere.has(file);
  try {
    process.kill(holder.pid, 0); // signal 0 only asks whether the process exists
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // exists, run by another user
  }
  return !zombie(holder.pid);
}

/** A killed process its parent has not yet reaped still answers signal 0, but its files are closed. */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false; // no /proc (macOS): signal 0 is all we know
  }
}

/**
 * Removes a dead holder's lock only if it is still the one we read: two processes taking over at once
 * must not remove each other's fresh lock. Rename is atomic, so only one of them moves the file.
 */
function removeIfUnchanged(file: string, raw: string): boolean {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err;
  }
  if (readFileSync(aside, "utf8") === raw) {
    unlinkSync(aside);
    return true;
  }
  // We moved a lock another process took a moment ago: put it back (link fails if a third one exists).
  try {
    linkSync(aside, file);
  } catch {
    // the newer lock stays; its holder already runs and the next pass names it
  }
  unlinkSync(aside);
  return false;
}

function refusal(dir: string, file: string, holder: LockHolder, advice: string): string {
  const where = holder.host === hostname() ? "" : ` on host ${holder.host}`;
  return [
    `The PGlite directory ${dir} is open in ${holder.purpose}, pid ${holder.pid}${where}, started at ${holder.startedAt}.`,
    "Only one process may open it at a time: two would each write their own view of it and corrupt it.",
    `Stop that process first (Ctrl-C in its terminal, or \`kill ${holder.pid}\`), then run this again.`,
    ...(advice ? [advice] : []),
    `If pid ${holder.pid} is not Senim (it died and the number was reused), delete ${file}.`,
  ].join("\n");
}
