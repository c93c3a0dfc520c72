import { sql } from "drizzle-orm";
import {
  ArgsType,
  createParameterDecorator,
  Field,
  Int,
  ObjectType,
  type ClassType,
} from "type-graphql";
import { badInput } from "../errors";
import { selectedFields } from "./selection";
import { isUuid } from "./ids";

const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `How many items to return, 1 to ${MAX_PAGE} (default ${DEFAULT_PAGE}).`,
  })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Return the items after this cursor (a previous page's endCursor).",
  })
  after?: string | null;
}

@ObjectType({ description: "Where a page ends and whether another follows." })
export class PageInfo {
  @Field({ description: "True when more items follow this page." })
  hasNextPage: boolean;

  @Field(() => String, {
    nullable: true,
    description: "Cursor of the last item on this page; pass it as `after`.",
  })
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** An edge whose cursor is encoded only when the client reads it: most lists never select it. */
class LazyEdge<T> implements Edge<T> {
  constructor(
    readonly node: T,
    private readonly key: unknown[],
  ) {}

  get cursor() {
    return encodeCursor(this.key);
  }
}

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  /** A promise so that the count query only runs when a client asks for it. */
  readonly totalCount: Promise<number>;
}

/** Declares `<Name>Connection` and `<Name>Edge` for a node type. */
export function Connection<T extends object>(Node: ClassType<T>, name: string, what: string) {
  @ObjectType(`${name}Edge`, { description: `One ${what} and its cursor.` })
  class EdgeType {
    @Field({ description: "Opaque position of this item, for `after`." })
    cursor: string;

    @Field(() => Node, { description: `The ${what}.` })
    node: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${what}s.` })
  class ConnectionType {
    @Field(() => [EdgeType], { description: "The items on this page, in order." })
    edges: EdgeType[];

    @Field(() => PageInfo, { description: "Where this page ends." })
    pageInfo: PageInfo;

    @Field(() => Int, { description: `How many ${what}s match, across all pages.` })
    totalCount: number;
  }
  return ConnectionType;
}

export interface Page {
  /** Rows to fetch: one more than asked, to learn whether another page follows. */
  limit: number;
  first: number;
  /** Decoded sort key of the last row the client has seen. */
  after: unknown[] | null;
  /**
   * A first page whose client asked for `totalCount`, of a list whose statement reads every matching row to
   * sort them anyway (the case queue): it counts them too (`TOTAL`), and the count needs no statement of its
   * own. Not for lists an index can page without reading them all (officers by badge number): there the
   * window count would force the whole read, 15 ms instead of 2 + 6.5 for a region's officers.
   */
  counted: boolean;
}

/** True when the client selected `totalCount` on this connection; pass it to `readPage`. */
export const WantsTotal = () =>
  createParameterDecorator(({ info }) => selectedFields(info).has("totalCount"));

/**
 * The fields the client selected on this connection's items (`edges { node { … } }`), or null when it
 * asked for no item at all (neither `edges` nor `pageInfo`), only for the `totalCount`.
 */
export const ItemFields = () =>
  createParameterDecorator(({ info }): ReadonlySet<string> | null => {
    const fields = selectedFields(info);
    return fields.has("edges") || fields.has("pageInfo")
      ? selectedFields(info, ["edges", "node"])
      : null;
  });

/** The whole result's size, on every row of a page (window functions run before LIMIT). */
export const TOTAL = sql<number>`(count(*) over ())::int`;

/** Checks `first` and `after` (fields named as the client sent them) and decodes the cursor. */
export function readPage(args: PageArgs, prefix = "", wantsTotal = false): Page {
  const first = args.first ?? DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) {
    throw badInput(`${prefix}first`, `first must be from 1 to ${MAX_PAGE}`);
  }
  let after: unknown[] | null = null;
  if (args.after != null) {
    try {
      after = JSON.parse(Buffer.from(args.after, "base64url").toString("utf8"));
    } catch {
      after = null;
    }
    if (!Array.isArray(after))
      throw badInput(`${prefix}after`, "after is not a cursor this API issued");
  }
  return { limit: first + 1, first, after, counted: wantsTotal && after === null };
}

export const encodeCursor = (key: unknown[]) =>
  Buffer.from(JSON.stringify(key), "utf8").toString("base64url");

/**
 * Builds a connection from rows fetched with `page.limit`, keyed for cursors by `keyOf`. On a counted page
 * the total is the rows' own `total` (an empty first page has none: nothing matches); otherwise `count` runs
 * when the client asks.
 */
export function toConnection<Row, Node = Row>(
  rows: Row[],
  page: Page,
  keyOf: (row: Row) => unknown[],
  count: () => Promise<number>,
  toNode: (row: Row) => Node = (row) => row as unknown as Node,
): ConnectionShape<Node> {
  if (page.counted)
    count = async () => Number((rows[0] as { total?: number } | undefined)?.total ?? 0);
  const visible = rows.slice(0, page.first);
  const edges = visible.map((row) => new LazyEdge(toNode(row), keyOf(row)));
  let total: Promise<number> | undefined;
  return {
    edges,
    // The end cursor too is encoded only when read: a roster's 100 history pages never ask for theirs.
    pageInfo: {
      hasNextPage: rows.length > page.first,
      get endCursor() {
        return edges.at(-1)?.cursor ?? null;
      },
    },
    get totalCount() {
      return (total ??= count());
    },
  };
}

/** A cursor value that must be a string (e.g. a badge number or an id). */
export function cursorString(page: Page, index = 0): string | null {
  if (!page.after) return null;
  const value = page.after[index];
  if (typeof value !== "string") throw badInput("after", "after is not a cursor this API issued");
  return value;
}

export function cursorNumber(page: Page, index = 0): number | null {
  if (!page.after) return null;
  const value = page.after[index];
  if (typeof value !== "number" || !Number.isSafeInteger(value)) {
    throw badInput("after", "after is not a cursor this API issued");
  }
  return value;
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A `[ISO time, uuid]` cursor (lists ordered by a timestamp, ties broken by id), or null on the first page. */
export function cursorTimeAndId(page: Page): { at: string; id: string } | null {
  if (!page.after) return null;
  const [at, id] = page.after;
  if (
    typeof at !== "string" ||
    typeof id !== "string" ||
    !isUuid(id) ||
    !CURSOR_TIME.test(at) ||
    // Round-trips only if the date exists: JavaScript rolls 2025-02-30 over to March 2nd, PostgreSQL refuses it.
    Number.isNaN(Date.parse(at)) ||
    new Date(at).toISOString() !== at
  ) {
    throw badInput("after", "after is not a cursor this API issued");
  }
  return { at, id };
}
