import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, extname, join } from "node:path";

/** The public trust page, served at /trust from files only: no templating, nothing per request. */
export const TRUST_PATH = "/trust";

/**
 * Only what the page itself loads: its own scripts and styles from this origin, and /graphql. No inline
 * script or style, so an injected tag can do nothing.
 */
export const TRUST_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

/**
 * `npm run build` copies the page next to this module and vendors the charting library into its vendor/
 * folder; run from source (tests, ts-node), the page is src/web/trust and the library is read from the
 * installed package.
 */
const ROOT = join(__dirname, "trust");
const LIBRARY = dirname(require.resolve("uplot"));

function fileFor(name: string): string {
  const built = join(ROOT, name);
  if (!name.startsWith("vendor/") || existsSync(built)) return built;
  return join(LIBRARY, name.slice("vendor/".length));
}

interface StaticFile {
  body: Buffer;
  type: string;
  etag: string;
}

/**
 * Files found are read once per process: they change only with a new build, which means a restart.
 * Misses are not remembered, or made-up names would grow the map without bound.
 */
const cache = new Map<string, StaticFile>();

function load(name: string): StaticFile | null {
  const cached = cache.get(name);
  if (cached) return cached;
  const path = fileFor(name);
  const type = TYPES[extname(name)];
  if (!type || !existsSync(path) || !statSync(path).isFile()) return null;
  const body = readFileSync(path);
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  const file = { body, type, etag };
  cache.set(name, file);
  return file;
}

/**
 * The file a path under /trust names, or null. Names are plain relative paths of known types: no segment
 * starts with a dot, and no encoded character or backslash passes, so nothing outside the folder can be named.
 */
function trustFileName(pathname: string): string | null {
  if (pathname === TRUST_PATH || pathname === `${TRUST_PATH}/`) return "index.html";
  if (!pathname.startsWith(`${TRUST_PATH}/`)) return null;
  const name = pathname.slice(TRUST_PATH.length + 1);
  if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/.test(name)) return null;
  return TYPES[extname(name)] ? name : null;
}

const notFound = (res: ServerResponse) => {
  res.statusCode = 404;
  res.setHeader("content-type", "text/plain; charset=utf-8");
  res.setHeader("x-content-type-options", "nosniff");
  res.end("Not found\n");
};

/** Answers a request for /trust or a file under it (GET and HEAD only). */
export function serveTrustPage(req: IncomingMessage, res: ServerResponse, pathname: string): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.statusCode = 405;
    res.setHeader("allow", "GET, HEAD");
    res.setHeader("content-type", "text/plain; charset=utf-8");
    return void res.end("Method not allowed\n");
  }
  const name = trustFileName(pathname);
  const file = name ? load(name) : null;
  if (!name || !file) return notFound(res);
  res.setHeader("content-type", file.type);
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("etag", file.etag);
  if (name.startsWith("vendor/")) {
    // The library changes only when its version does; an hour bounds a stale copy after an upgrade.
    res.setHeader("cache-control", "public, max-age=3600");
  } else {
    // Unversioned names: the browser asks again each time and gets a 304 while the build is the same.
    res.setHeader("cache-control", "no-cache");
  }
  if (file.type.startsWith("text/html")) {
    res.setHeader("content-security-policy", TRUST_PAGE_CSP);
    res.setHeader("referrer-policy", "no-referrer");
  }
  if (req.headers["if-none-match"] === file.etag) {
    res.statusCode = 304;
    return void res.end();
  }
  res.statusCode = 200;
  res.setHeader("content-length", file.body.length);
  res.end(req.method === "HEAD" ? undefined : file.body);
}
