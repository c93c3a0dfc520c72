import type { ApolloServerPlugin } from "@apollo/server";
import { Kind, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";
import type { Context } from "../context";
import { decide, OPERATION_POLICY } from "../auth/policy";
import { DomainError, unauthenticated } from "../errors";
import { addressKey } from "../ratelimit/client-address";
import type { KeyOwner, SealedColumn } from "../crypto/data-keys";
import { appendAudit, type AuditEntry } from "./audit.writer";

type PersonalRecord = "Complaint" | "Commendation";

/**
 * The complaints and commendations whose citizen's identity or words one request returned. The field
 * resolvers note them as they open the data; the request writes one READ_PERSONAL_DATA record naming them
 * all when its response is ready (one insert per request, not one per field or per record).
 */
export class PersonalDataReads {
  private readonly read = new Map<string, PersonalRecord>();

  /** Passes `value` (opened personal data) through, noting its record when there is anything to see. */
  note<T>(entity: PersonalRecord, id: string, value: T): T {
    if (value !== null && value !== undefined) this.read.set(id, entity);
    return value;
  }

  entry(): AuditEntry | null {
    if (!this.read.size) return null;
    const records = [...this.read.keys()].sort();
    const entities = new Set(this.read.values());
    return {
      action: "READ_PERSONAL_DATA",
      entity: entities.size === 1 ? [...entities][0] : null,
      entityId: records.length === 1 ? records[0] : null,
      outcome: "SUCCESS",
      records,
    };
  }
}

const ENTITY: Record<KeyOwner, PersonalRecord> = {
  complaints: "Complaint",
  commendations: "Commendation",
};

/**
 * One sealed column of a complaint or commendation, opened with the record's own key, and noted as a
 * personal-data read of that record.
 */
export function readCitizenText<O extends KeyOwner>(
  { recordKeys, personalReads }: Context,
  owner: O,
  record: { id: string; dataKey: string | null },
  column: SealedColumn<O>,
  sealed: string | null,
): string | null {
  if (!sealed) return null;
  const text = recordKeys.of(owner, record).open(owner, column, record.id, sealed);
  return personalReads.note(ENTITY[owner], record.id, text);
}

/** The names of an operation's root fields, through fragments (`query { ...F }`). */
export function rootFields(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  into = new Set<string>(),
): Set<string> {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) into.add(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      rootFields(selection.selectionSet, fragments, into);
    else {
      const fragment = fragments.get(selection.name.value);
      if (fragment) rootFields(fragment.selectionSet, fragments, into);
    }
  }
  return into;
}

const tooManyRefusals = (seconds: number) => ({
  kind: "single" as const,
  singleResult: {
    errors: [
      {
        message: `Too many refused requests; try again in ${seconds} seconds`,
        extensions: { code: "RATE_LIMITED", retryAfterSeconds: seconds },
      },
    ],
  },
});

/**
 * What a request leaves in the audit trail besides its mutations' own records, written once, before its
 * response leaves:
 * - one DENIED record for all it was refused (the refused operations and fields, in `action`), so no
 *   refusal reaches the client before it is on record, and a request with many refused fields still
 *   costs one append;
 * - one READ_PERSONAL_DATA record naming every complaint and commendation whose citizen's data it returned.
 * A request with no token that asks for anything needing one is refused whole before execution. Refusals
 * of anonymous requests are limited per address: past the limit they get RATE_LIMITED and write nothing,
 * so a flood of them cannot queue on the chain lock ahead of anyone's writes.
 * If the records cannot be written, the response is withheld: personal data never leaves without a trace.
 */
export const requestAuditRecords: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue: ctx, operation, document }) {
        if (ctx.principal || !operation) return;
        const fragments = new Map(
          document.definitions
            .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
            .map((d) => [d.name.value, d]),
        );
        const refused = [...rootFields(operation.selectionSet, fragments)].filter(
          (name) =>
            !name.startsWith("__") &&
            decide(
              Object.hasOwn(OPERATION_POLICY, name) ? OPERATION_POLICY[name] : undefined,
              null,
            ) !== "ALLOW",
        );
        if (!refused.length) return;
        for (const name of refused) ctx.denied.add(name);
        // As execution would have reported it: at the first refused root field.
        // Status 200, as when execution refuses a field: Apollo answers 500 to an error raised here otherwise.
        const { code, message, extensions } = unauthenticated(ctx.tokenRejected);
        throw new DomainError(code, message, { ...extensions, http: { status: 200 } }, [
          refused[0],
        ]);
      },

      async willSendResponse({ contextValue: ctx, response }) {
        // No context: the request failed before it had one, and did nothing to record.
        if (!ctx?.personalReads) return;
        const entries: AuditEntry[] = [];
        if (ctx.denied.size) {
          const limit = ctx.config.rateLimits.anonymousRefusals;
          const verdict =
            !ctx.principal && limit
              ? await ctx.rateLimiter.hit(`refused|${addressKey(ctx.clientAddress)}`, limit)
              : null;
          if (verdict && !verdict.allowed) {
            ctx.rateLimiter.onRefusal("anonymousRefusal", "address");
            response.http.status = 429;
            response.http.headers.set("retry-after", String(verdict.retryAfterSeconds));
            response.body = tooManyRefusals(verdict.retryAfterSeconds);
            return;
          }
          entries.push({
            action: [...ctx.denied].sort().join(","),
            entity: null,
            entityId: null,
            outcome: "DENIED",
          });
        }
        const read = ctx.personalReads.entry();
        if (read) entries.push(read);
        if (!entries.length) return;
        try {
          await ctx.db.transaction((tx) => appendAudit(tx, ctx, entries));
        } catch (err) {
          ctx.log.error({ err }, "could not write the request's audit records; response withheld");
          response.http.status = 500;
          response.body = {
            kind: "single",
            singleResult: {
              errors: [
                { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } },
              ],
            },
          };
        }
      },
    };
  },
};
