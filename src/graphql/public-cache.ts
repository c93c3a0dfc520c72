import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type FragmentDefinitionNode } from "graphql";
import type { Context } from "../context";
import { rootFields } from "../audit/request-audit";

/** Root fields whose anonymous answers are the same for everyone: the published figures. */
const PUBLIC_FIGURES = new Set(["trustMetrics", "trustMetricsSeries", "__typename"]);
/** Enough for every public page's distinct requests; a flood of distinct ones evicts the oldest. */
const MAX_ENTRIES = 2_000;
const MAX_BODY = 512 * 1024;

interface Entry {
  body: string;
  contentType: string;
  etag: string;
  expires: number;
}

/**
 * Marks a request whose every root field is a published figure and which carries no token: its answer can
 * be shared. Anything else (a token, any other field) is never stored nor served from the cache.
 */
export const publicFiguresMarker: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue: ctx, operation, document }) {
        if (!operation || operation.operation !== "query" || ctx.principal || ctx.tokenRejected)
          return;
        const fragments = new Map(
          document.definitions
            .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
            .map((d) => [d.name.value, d]),
        );
        const roots = rootFields(operation.selectionSet, fragments);
        ctx.answer.shareable = [...roots].every((name) => PUBLIC_FIGURES.has(name));
      },
    };
  },
};

/**
 * Answers to anonymous requests for public figures, kept in memory for as long as the figures themselves
 * (PUBLIC_METRICS_REFRESH_SECONDS), and served before Apollo parses anything: a public page's repeated
 * requests cost a hash lookup. Responses carry an ETag and `Cache-Control: public`, so browsers and
 * proxies revalidate GETs with a 304. A request with an Authorization header never reaches this cache, and
 * its answer is `Cache-Control: private, no-store`.
 */
export class PublicResponseCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlSeconds: number) {}

  /** The request's key, or null when its answer must not be shared. */
  keyOf(req: IncomingMessage, search: string, body: string | undefined): string | null {
    if (this.ttlSeconds === 0 || req.headers.authorization !== undefined) return null;
    if (req.method !== "GET" && req.method !== "POST") return null;
    const accept = req.headers.accept ?? "";
    return `${req.method}\n${accept}\n${search}\n${body ?? ""}`;
  }

  /** Sends the stored answer and returns true, or returns false when there is none (or it expired). */
  serve(key: string, req: IncomingMessage, res: ServerResponse): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    const left = Math.ceil((entry.expires - Date.now()) / 1000);
    if (left <= 0) {
      this.entries.delete(key);
      return false;
    }
    res.setHeader("cache-control", `public, max-age=${left}`);
    res.setHeader("etag", entry.etag);
    if (req.headers["if-none-match"] === entry.etag) {
      res.statusCode = 304;
      res.end();
    } else {
      res.statusCode = 200;
      res.setHeader("content-type", entry.contentType);
      res.end(entry.body);
    }
    return true;
  }

  /** Keeps a successful answer without errors; returns the headers to send with it. */
  store(key: string, body: string, contentType: string): Record<string, string> {
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    const headers = {
      "cache-control": `public, max-age=${this.ttlSeconds}`,
      etag,
    };
    // Apollo writes "errors" first when there are any.
    if (body.length > MAX_BODY || body.startsWith('{"errors"')) return {};
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, {
      body,
      contentType,
      etag,
      expires: Date.now() + this.ttlSeconds * 1000,
    });
    return headers;
  }
}
