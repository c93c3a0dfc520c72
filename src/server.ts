import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from "@apollo/server/plugin/disabled";
import client from "prom-client";
import type { Config } from "./config";
import type { KeyRing } from "./crypto/keyring";
import { loadAuditKeys, loadKeyRing } from "./crypto/keys";
import { checkpoint } from "./audit/audit.verify";
import { requestAuditRecords } from "./audit/request-audit";
import { createContext, type Context } from "./context";
import type { Database } from "./db/client";
import type { Logger } from "./logger";
import { formatError, isUnexpected } from "./graphql/format-error";
import { senimSchema } from "./graphql/schema";
import { jitGateway } from "./graphql/executor";
import { costLimit, limitRules, LIMITS } from "./graphql/limits";
import { knownOperationTypeRule } from "./graphql/rules";
import { clientAddress } from "./ratelimit/client-address";
import { clientRequestIdFrom, newRequestId } from "./common/ids";
import { PublicResponseCache, publicFiguresMarker } from "./graphql/public-cache";
import { Publication } from "./modules/metrics/publication.service";
import { todayIn } from "./common/clock";
import { RateLimiter } from "./ratelimit/rate-limiter";
import { serveTrustPage, TRUST_PATH } from "./web/static";

export interface SenimServer {
  http: Server;
  listen(port?: number, host?: string): Promise<number>;
  /** Settles once the public figures' years built at `listen` are built (or failed to build). */
  publicFiguresWarmed(): Promise<void>;
  /** Where /metrics is served when METRICS_PORT is set (known once listening); null when on the API's port. */
  metricsPort(): number | null;
  /** Stops taking requests, lets those in flight finish (up to the grace period), then closes. */
  close(): Promise<void>;
}

/** Listens, and resolves with the port bound (the one asked for, or the free one given for 0). */
const listenOn = (server: Server, port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });

class PayloadTooLarge extends Error {}

/** Reads the body, refusing early (413) once it passes the limit instead of buffering an attacker's upload. */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > limit) return reject(new PayloadTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // The rest is left to refuseTooLarge, which reads it after the answer.
        req.pause();
        req.off("data", onData).off("end", onEnd);
        reject(new PayloadTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString("utf8"));
    req.on("data", onData).on("end", onEnd).on("error", reject);
  });
}

/**
 * What is read and thrown away of a refused body after the 413: enough for any upload sent by mistake.
 * Discarding costs no memory, and the request timeout bounds the time.
 */
const DISCARD_CAP_BYTES = 64 * 1024 * 1024;

/**
 * Answers 413 at once, then reads and discards the rest of the body before closing. Closing a socket with
 * unread bytes makes the kernel send a reset, and a client still sending its body (Node's fetch, under
 * load, most of the time) then sees the reset instead of the answer it had not read yet. Past the cap,
 * the connection is cut.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse, limit: number) {
  const body = JSON.stringify(requestError(`Request body is larger than ${limit} bytes`));
  res.writeHead(413, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    connection: "close",
  });
  // The whole answer goes out now; the response ends (and the connection closes) once the body is read.
  res.write(body);
  if (req.readableEnded) return void res.end();
  let discarded = 0;
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_CAP_BYTES) req.socket.destroy();
  });
  req.once("end", () => res.end());
  req.resume();
}

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.statusCode = status;
  res.setHeader("content-type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
};

const requestError = (message: string) => ({
  errors: [{ message, extensions: { code: "BAD_REQUEST" } }],
});

/** Path and query string of the request target; `new URL` would throw on targets such as "//". */
function splitTarget(target: string): { pathname: string; search: string } {
  const query = target.indexOf("?");
  return query < 0
    ? { pathname: target, search: "" }
    : { pathname: target.slice(0, query), search: target.slice(query) };
}

/** Every X-Forwarded-For line, in order, as one list. */
const forwardedFor = (req: IncomingMessage) =>
  [req.headers["x-forwarded-for"] ?? []].flat().join(",") || undefined;

/** A database that does not answer within this long is as good as down, for /readyz. */
const PING_TIMEOUT_MS = 2_000;

function answersWithin(ping: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([
    ping.then(
      () => true,
      () => false,
    ),
    late,
  ]).finally(() => clearTimeout(timer));
}

/** Logs unexpected errors with the request id; clients only see the masked message. */
const errorLogging: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, contextValue, operationName }) {
        for (const error of errors) {
          // The error as Apollo reports it: for a variable that does not coerce, only Apollo's wrapper
          // says BAD_USER_INPUT, and graphql-js's error inside it quotes the value.
          if (isUnexpected(error)) {
            contextValue.log.error(
              { err: error.originalError ?? error, operationName, path: error.path },
              "unexpected error",
            );
          }
        }
      },
    };
  },
};

type OperationObserver = (operation: string, outcome: string, seconds: number) => void;

/**
 * Times each GraphQL operation by name and outcome. Names are chosen by clients, so only the first 200
 * distinct well-formed names become labels; the rest count as "other" (a label per name would let anyone
 * grow the metrics without bound).
 */
function operationTiming(observe: () => OperationObserver): ApolloServerPlugin<Context> {
  const known = new Set<string>();
  const label = (name: string | null | undefined) => {
    if (!name || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) return "anonymous";
    if (known.has(name) || known.size < 200) return (known.add(name), name);
    return "other";
  };
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ response, request, operationName }) {
          const body = response.body.kind === "single" ? response.body.singleResult : null;
          const outcome = body?.errors?.length
            ? String(body.errors[0].extensions?.code ?? "ERROR")
            : "OK";
          observe()(
            label(operationName ?? request.operationName),
            outcome,
            Number(process.hrtime.bigint() - started) / 1e9,
          );
        },
      };
    },
  };
}

export async function createSenimServer(options: {
  database: Database;
  config: Config;
  log: Logger;
  keys?: KeyRing;
  auditKeys?: KeyRing;
}): Promise<SenimServer> {
  const { config, log, database } = options;
  // Bound below, once the registry exists; Apollo needs its plugins first.
  let observe: OperationObserver = () => {};
  const production = config.env === "production";
  const schema = await senimSchema();
  const apollo = new ApolloServer<Context>({
    // Apollo takes a schema or a gateway, not both; the gateway only replaces execution.
    ...(config.graphqlExecutor === "jit" ? { gateway: jitGateway(schema) } : { schema }),
    // Apollo's own defaults follow the configured environment, not whatever NODE_ENV the process has.
    nodeEnv: config.env,
    validationRules: [...limitRules, knownOperationTypeRule],
    parseOptions: { maxTokens: LIMITS.tokens },
    formatError,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: production,
    introspection: !production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // main.ts owns SIGTERM/SIGINT: Apollo's own handler would race our drain (and its stop() then never settles).
    stopOnTerminationSignals: false,
    plugins: [
      errorLogging,
      requestAuditRecords,
      operationTiming(() => observe),
      costLimit(schema),
      publicFiguresMarker,
      // Installed by default, and the cache-control plugin wraps every field resolver of every response
      // for hints nobody reads here (responses are private); usage reporting and traces go to Apollo's cloud.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();

  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const requests = new client.Histogram({
    name: "senim_http_request_duration_seconds",
    help: "HTTP requests by route and status",
    labelNames: ["route", "status"],
    registers: [registry],
  });
  const operations = new client.Histogram({
    name: "senim_graphql_operation_duration_seconds",
    help: "GraphQL operations by operation name and outcome (OK or the first error's code)",
    labelNames: ["operation", "outcome"],
    registers: [registry],
  });
  if (database.poolUse) {
    const poolUse = database.poolUse;
    new client.Gauge({
      name: "senim_db_pool_connections",
      help: "PostgreSQL pool connections by state (total, idle, and requests waiting for one)",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        for (const [state, value] of Object.entries(poolUse())) this.set({ state }, value);
      },
    });
  }
  observe = (operation, outcome, seconds) => operations.observe({ operation, outcome }, seconds);
  const refusals = new client.Counter({
    name: "senim_rate_limit_refusals_total",
    help: "Calls refused by a rate limit, by operation and by the limit that refused them",
    labelNames: ["operation", "limit"],
    registers: [registry],
  });
  const rateLimiter = new RateLimiter(
    database.db,
    config.rateLimits.windowSeconds,
    (operation, limit) => refusals.inc({ operation, limit }),
  );
  const deps = {
    ...options,
    keys: options.keys ?? loadKeyRing(config, log),
    auditKeys: options.auditKeys ?? loadAuditKeys(config, log),
    rateLimiter,
    publication: new Publication(database.db, config.publicMetricsRefreshSeconds, config.timeZone),
  };
  const publicResponses = new PublicResponseCache(config.publicMetricsRefreshSeconds);

  // A signed head in the log now and then: kept by the log pipeline, outside the database, it lets
  // `npm run audit:verify -- --since` notice a tail cut off the chain after it.
  const checkpoints = config.auditCheckpointIntervalSeconds
    ? setInterval(() => {
        checkpoint(database.db, deps.auditKeys)
          .then((c) => log.info({ auditCheckpoint: c }, "audit checkpoint"))
          .catch((err: unknown) => log.warn({ err }, "could not take an audit checkpoint"));
      }, config.auditCheckpointIntervalSeconds * 1000).unref()
    : null;

  const sendMetrics = async (res: ServerResponse) => {
    res.setHeader("content-type", registry.contentType);
    res.end(await registry.metrics());
  };
  // With METRICS_PORT, /metrics is on a port of its own, which need not face the public.
  const metricsHttp =
    config.metricsPort === null
      ? null
      : createServer((req, res) => {
          if (splitTarget(req.url ?? "/").pathname !== "/metrics")
            return sendJson(res, 404, {
              errors: [{ message: "Not found; this port serves /metrics" }],
            });
          sendMetrics(res).catch((err: unknown) => {
            log.error({ err }, "metrics failed");
            if (!res.headersSent) sendJson(res, 500, {});
          });
        });
  let metricsPort: number | null = null;
  // Believing no proxy, a forwarded address is ignored: say so once, in case a proxy was meant to be trusted.
  let warnedForwarded = false;

  /** Responses not yet flushed to their socket: shutdown waits for these. */
  const open = new Set<ServerResponse>();
  let draining = false;

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    clientRequestId: string | undefined,
  ): Promise<string> {
    const url = splitTarget(req.url ?? "/");
    if (url.pathname === "/healthz") {
      sendJson(res, 200, { status: "ok" });
      return "healthz";
    }
    if (url.pathname === "/readyz") {
      const ready = !draining && (await answersWithin(database.ping(), PING_TIMEOUT_MS));
      sendJson(res, ready ? 200 : 503, { status: ready ? "ready" : "unavailable" });
      return "readyz";
    }
    if (url.pathname === "/metrics" && !metricsHttp) {
      await sendMetrics(res);
      return "metrics";
    }
    if (url.pathname === TRUST_PATH || url.pathname.startsWith(`${TRUST_PATH}/`)) {
      serveTrustPage(req, res, url.pathname);
      return "trust";
    }
    if (url.pathname !== "/graphql") {
      sendJson(res, 404, { errors: [{ message: "Not found; the API is at /graphql" }] });
      return "other";
    }
    let text: string | undefined;
    if (req.method === "POST") {
      try {
        text = await readBody(req, config.bodyLimitBytes);
      } catch (e) {
        if (e instanceof PayloadTooLarge) {
          refuseTooLarge(req, res, config.bodyLimitBytes);
          return "graphql";
        }
        throw e;
      }
    }
    const shareable = publicResponses.keyOf(req, url.search, text);
    if (shareable && publicResponses.serve(shareable, req, res)) return "graphql";
    let body: unknown = text;
    if (text !== undefined && (req.headers["content-type"] ?? "").includes("json")) {
      try {
        body = JSON.parse(text);
      } catch {
        sendJson(res, 400, requestError("Request body is not valid JSON"));
        return "graphql";
      }
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    let made: Context | undefined;
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? "GET", headers, search: url.search, body },
      // Apollo reports a failed context to the client (masked) but logs nothing itself.
      context: () =>
        createContext(deps, {
          authorization: req.headers.authorization,
          requestId,
          clientRequestId,
          clientAddress: clientAddress(
            req.socket.remoteAddress,
            forwardedFor(req),
            config.trustedProxies,
          ),
        }).then(
          (ctx) => (made = ctx),
          (err: unknown) => {
            log.error(
              { err, requestId, clientRequestId },
              "unexpected error creating the request context",
            );
            throw err;
          },
        ),
    });
    res.statusCode = response.status ?? 200;
    for (const [key, value] of response.headers) res.setHeader(key, value);
    if (response.body.kind === "complete") {
      const shared =
        shareable && made?.answer.shareable && res.statusCode === 200
          ? publicResponses.store(
              shareable,
              response.body.string,
              response.headers.get("content-type") ?? "application/json",
            )
          : {};
      res.setHeader("cache-control", "private, no-store");
      for (const [key, value] of Object.entries(shared)) res.setHeader(key, value);
      res.end(response.body.string);
    } else {
      res.setHeader("cache-control", "private, no-store");
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
    return "graphql";
  }

  const http = createServer((req, res) => {
    const started = process.hrtime.bigint();
    const requestId = newRequestId();
    const clientRequestId = clientRequestIdFrom(req.headers["x-request-id"]);
    if (!warnedForwarded && !config.trustedProxies && req.headers["x-forwarded-for"]) {
      warnedForwarded = true;
      log.warn(
        "a request came with X-Forwarded-For, which is ignored because TRUST_PROXY is off: rate limits count the proxy's address. Set TRUST_PROXY to the proxy if there is one",
      );
    }
    res.setHeader("x-request-id", requestId);
    if (draining) res.setHeader("connection", "close");
    open.add(res);
    // "close" comes once the response is flushed (or the client went away); when the last one has,
    // the keep-alive connections left are idle and can go without cutting any response short.
    res.once("close", () => {
      open.delete(res);
      if (draining && open.size === 0) http.closeIdleConnections();
    });
    handle(req, res, requestId, clientRequestId)
      .catch((err: unknown) => {
        log.error({ err, requestId, clientRequestId }, "request failed");
        if (!res.headersSent)
          sendJson(res, 500, {
            errors: [
              { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } },
            ],
          });
        else res.end();
        return "error";
      })
      .then((route) => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        requests.observe({ route, status: String(res.statusCode) }, seconds);
        log.info(
          {
            requestId,
            clientRequestId,
            method: req.method,
            route,
            status: res.statusCode,
            ms: Math.round(seconds * 1000),
          },
          "request",
        );
      });
  });
  http.requestTimeout = 30_000;
  http.headersTimeout = 15_000;
  // Idle keep-alive connections outlive a proxy's (60 s is the common default): with Node's 5 s, a client
  // or proxy that sends on a connection the server is just closing gets a reset instead of an answer.
  http.keepAliveTimeout = 65_000;

  let warming: Promise<void> = Promise.resolve();
  return {
    http,
    async listen(port = config.port, host = config.host) {
      if (metricsHttp) metricsPort = await listenOn(metricsHttp, config.metricsPort!, host);
      // The years a public page opens on are built now, not by its first visitor (2 s nationally).
      const year = Number(todayIn(config.timeZone).slice(0, 4));
      warming = deps.publication.warm([year, year - 1], (err) =>
        log.warn({ err }, "could not build the public figures"),
      );
      return listenOn(http, port, host);
    },
    publicFiguresWarmed: () => warming,
    metricsPort: () => metricsPort,
    async close() {
      draining = true;
      if (checkpoints) clearInterval(checkpoints);
      metricsHttp?.close();
      // Responses still being prepared end their connection instead of keeping it alive.
      for (const res of open) if (!res.headersSent) res.setHeader("connection", "close");
      // Stops accepting and closes idle keep-alive connections; resolves once the busy ones have finished.
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      const deadline = setTimeout(() => http.closeAllConnections(), config.shutdownGraceMs);
      await closed;
      clearTimeout(deadline);
      await apollo.stop();
    },
  };
}
