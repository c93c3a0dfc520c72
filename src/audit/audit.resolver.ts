import { and, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import { GraphQLSafeInt } from "graphql-scalars";
import {
  Arg,
  Args,
  Ctx,
  Field,
  FieldResolver,
  ID,
  ObjectType,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import type { Context } from "../context";
import { auditLog, type AuditRow } from "../db/schema";
import { Connection, cursorNumber, PageArgs, readPage, toConnection } from "../common/pagination";
import { isUuid } from "../common/ids";
import { Principal } from "../auth/principal.type";
import { verifyChain } from "./audit.verify";

@ObjectType({
  description:
    "One audited action: who did what to which record, and whether it was allowed. Never personal data.",
})
export class AuditRecord {
  @Field(() => GraphQLSafeInt, { description: "Position in the chain, from 1, without gaps." })
  seq: number;

  @Field({ description: "When it happened." })
  at: Date;

  @Field({
    description: "The operation, as clients name it (createOfficer, transferOfficer, ...).",
  })
  action: string;

  @Field(() => String, {
    nullable: true,
    description: "Kind of record acted on (Officer, Unit, Principal, ...).",
  })
  entity: string | null;

  @Field(() => ID, { nullable: true, description: "Identifier of the record acted on." })
  entityId: string | null;

  @Field({
    description: "SUCCESS, or DENIED for a refused attempt (UNAUTHENTICATED or FORBIDDEN).",
  })
  outcome: string;

  @Field({ description: "Request id, matching the server's log lines." })
  requestId: string;

  principalId: string | null;
}

const AuditConnection = Connection(AuditRecord, "Audit", "audit record");

@ObjectType({ description: "Result of re-computing the audit chain's hashes." })
class AuditChainReport {
  @Field({ description: "True when every record links to its predecessor unaltered." })
  ok: boolean;

  @Field(() => GraphQLSafeInt, {
    description: "Records verified before the first break (all of them when ok).",
  })
  checked: number;

  @Field(() => GraphQLSafeInt, {
    nullable: true,
    description: "Sequence number of the first record that does not verify.",
  })
  firstBrokenSeq: number | null;
}

@Resolver(() => AuditRecord)
export class AuditResolver {
  @Query(() => AuditConnection, {
    description:
      "Audit records, newest first, optionally for one record or one principal (AUDITOR).",
  })
  async auditTrail(
    @Arg("entityId", () => ID, { nullable: true }) entityId: string | null,
    @Arg("principalId", () => ID, { nullable: true }) principalId: string | null,
    @Args() args: PageArgs,
    @Ctx() { db }: Context,
  ) {
    const page = readPage(args);
    const filters: SQL[] = [];
    if (entityId) filters.push(eq(auditLog.entityId, entityId));
    // A principal id that is not a UUID names no principal: match nothing rather than fail in SQL.
    if (principalId)
      filters.push(isUuid(principalId) ? eq(auditLog.principalId, principalId) : sql`false`);
    const where = and(...filters);
    const after = cursorNumber(page);
    const rows = await db
      .select()
      .from(auditLog)
      .where(and(where, after === null ? undefined : lt(auditLog.seq, after)))
      .orderBy(desc(auditLog.seq))
      .limit(page.limit);
    return toConnection(
      rows,
      page,
      (r: AuditRow) => [r.seq],
      async () => {
        const [{ n }] = await db
          .select({ n: sql<number>`count(*)::int` })
          .from(auditLog)
          .where(where);
        return n;
      },
    );
  }

  @Query(() => AuditChainReport, {
    description: "Re-compute every hash in the audit chain and report the first break (AUDITOR).",
  })
  verifyAuditChain(@Ctx() { db }: Context) {
    return verifyChain(db);
  }

  @FieldResolver(() => Principal, {
    nullable: true,
    description: "Who acted; null for the public.",
  })
  principal(@Root() record: AuditRecord, @Ctx() { loaders }: Context) {
    return record.principalId ? loaders.principalById.load(record.principalId) : null;
  }
}
