import { and, arrayContains, desc, eq, lt, or, sql, type SQL } from "drizzle-orm";
import { GraphQLSafeInt } from "graphql-scalars";
import {
  Arg,
  Args,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
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
import { checkpoint, verifyChain } from "./audit.verify";

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
    description:
      "SUCCESS; DENIED for a refused attempt (UNAUTHENTICATED or FORBIDDEN); UNAUDITED for a change to a case record that no audited mutation made (written by the database, never by the service).",
  })
  outcome: string;

  @Field({
    description:
      "The server's request id, matching its log lines (a client's X-Request-Id is logged, never recorded here). For an UNAUDITED record: db:<database role>:<backend pid>.",
  })
  requestId: string;

  @Field(() => String, {
    nullable: true,
    description:
      "sha256 of what the change did: a keyed hash of its input (secrets left out) and the versions of the rows it wrote. Null on records from before the chain was keyed.",
  })
  digest: string | null;

  @Field(() => [ID], {
    nullable: true,
    description:
      "Further records named by this one: the complaints or commendations a READ_PERSONAL_DATA request returned.",
  })
  records: string[] | null;

  principalId: string | null;
}

const AuditConnection = Connection(AuditRecord, "Audit", "audit record");

/** Returned by auditCheckpoint, and given back as it was to verifyAuditChain(since:). */
@ObjectType({
  description:
    "The signed head of the audit chain. Keep it outside the database: verifyAuditChain(since:) then fails if the chain no longer holds it.",
})
@InputType("AuditCheckpointInput", { description: "A checkpoint as auditCheckpoint returned it." })
class AuditCheckpoint {
  @Field(() => GraphQLSafeInt, {
    description: "Sequence number of the newest record (0 for an empty chain).",
  })
  seq: number;

  @Field({ description: "That record's hash." })
  hash: string;

  @Field({ description: "When the checkpoint was taken." })
  at: Date;

  @Field({ description: "HMAC-SHA256 of seq, hash and at under AUDIT_KEY: <key id>.<hex>." })
  signature: string;
}

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

  @Field(() => String, {
    nullable: true,
    description:
      "What broke: a changed, missing or inserted record, a change made outside the service (naming its entity), or a checkpoint the chain no longer holds.",
  })
  problem: string | null;
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
    // A record is named in entityId, or among several in `records` (READ_PERSONAL_DATA).
    if (entityId)
      filters.push(
        or(eq(auditLog.entityId, entityId), arrayContains(auditLog.records, [entityId]))!,
      );
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
    description:
      "Re-compute every hash in the audit chain and report the first break (AUDITOR). With `since`, the chain must also still hold that checkpoint.",
  })
  verifyAuditChain(
    @Arg("since", () => AuditCheckpoint, { nullable: true })
    since: AuditCheckpoint | null,
    @Ctx() { db, auditKeys }: Context,
  ) {
    return verifyChain(db, auditKeys, { since });
  }

  @Query(() => AuditCheckpoint, {
    description: "The signed head of the audit chain, to keep outside the database (AUDITOR).",
  })
  auditCheckpoint(@Ctx() { db, auditKeys, now }: Context) {
    return checkpoint(db, auditKeys, now);
  }

  @FieldResolver(() => Principal, {
    nullable: true,
    description: "Who acted; null for the public.",
  })
  principal(@Root() record: AuditRecord, @Ctx() { loaders }: Context) {
    return record.principalId ? loaders.principalById.load(record.principalId) : null;
  }
}
