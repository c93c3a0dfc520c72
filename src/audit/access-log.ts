import type { ApolloServerPlugin } from "@apollo/server";
import type { Context } from "../context";
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

/**
 * Writes the request's READ_PERSONAL_DATA record before its response leaves. If the record cannot be
 * written, the response is withheld: personal data is never shown without a trace of who saw it.
 */
export const personalDataAccessLog: ApolloServerPlugin<Context> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue: ctx, response }) {
        const entry = ctx?.personalReads?.entry();
        if (!entry) return;
        try {
          await ctx.db.transaction((tx) => appendAudit(tx, ctx, [entry]));
        } catch (err) {
          ctx.log.error({ err }, "could not record a read of personal data; response withheld");
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
