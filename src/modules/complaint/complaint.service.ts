import { and, asc, eq, exists, getTableColumns, gte, lt, ne, or, sql, type SQL } from "drizzle-orm";
import type { Context } from "../../context";
import { inTransaction } from "../../context";
import { randomUUID } from "node:crypto";
import { anyOf, arrayParam, rows, type Tx } from "../../db/client";
import { tableRows } from "../../db/table-rows";
import { newRecordKey } from "../../crypto/data-keys";
import {
  allegations,
  complaintEvents,
  complaints,
  officers,
  principals,
  type AllegationRow,
  type CaseStatus,
  type ComplaintRow,
} from "../../db/schema";
import { badInput, conflict, invalidState, notFound } from "../../errors";
import { addMonths } from "../../common/dates";
import { isUuid } from "../../common/ids";
import { principalStatus } from "../../auth/token";
import {
  cursorTimeAndId,
  readPage,
  toConnection,
  TOTAL,
  type Page,
  type PageArgs,
} from "../../common/pagination";
import { officerOnDay } from "../officer/officer.service";
import { inUnitSubtree } from "../unit/unit.sql";
import { publicMessages } from "./complaint.messages";
import { deadlineInForce } from "./deadline.service";
import type {
  AddAllegationInput,
  AddCaseNoteInput,
  AssignComplaintInput,
  CloseComplaintInput,
  ComplaintFilter,
  ComplaintTransitionInput,
  EraseComplainantDataInput,
  ExtendResponseDeadlineInput,
  IdentifyOfficerInput,
  RecordFindingInput,
} from "./complaint.input";

const OPEN: CaseStatus[] = [
  "REGISTERED",
  "ASSIGNED",
  "UNDER_INVESTIGATION",
  "PENDING_REVIEW",
  "REOPENED",
];

export async function findComplaint(ctx: Context, id: string): Promise<ComplaintRow> {
  const complaint = isUuid(id) ? await ctx.loaders.complaintById.load(id) : null;
  if (!complaint) throw notFound("Complaint");
  return complaint;
}

export const isOverdue = (c: ComplaintRow, now: Date) =>
  c.status !== "CLOSED" && deadlineInForce(c) < now;

/**
 * The queue's order, as complaints_due_idx holds it: the deadline in force at the cursor's precision
 * (milliseconds, so a deadline written with microseconds is neither repeated nor skipped), in UTC (a
 * timestamp without zone, so that the index expression is immutable).
 */
const queueDue = sql`date_trunc('milliseconds', coalesce(${complaints.extendedTo}, ${complaints.responseDueAt}) at time zone 'UTC')`;

/** A queue page's complaints, mapped by one loop (the page is read by raw SQL). */
const queueRows = tableRows(complaints);

/** The case queue: nearest deadline first. */
export async function listComplaints(
  ctx: Context,
  filter: ComplaintFilter | null | undefined,
  args: PageArgs,
  wantsTotal = false,
) {
  // The first page counts in its own statement (count(*) over ()) only for a unit's statuses below the ministry:
  // that page reads every match anyway (complaints_unit_status_idx, then a sort of a few hundred rows). Any
  // other page is read in deadline order from complaints_due_idx and stops after `first`; counting in it
  // would read every match (the national queue took 2.6 s that way, against 0.1 ms and a 50 ms count).
  const unit = filter?.unitCode ? await ctx.loaders.unitByCode.load(filter.unitCode) : null;
  const page = readPage(args, "", wantsTotal && Boolean(unit?.parentId && filter?.status?.length));
  const cursor = cursorTimeAndId(page);
  // Dates go in as ISO text: postgres.js cannot bind a Date inside raw SQL.
  const after = cursor
    ? sql`(${queueDue}, ${complaints.id}) > (${cursor.at}::timestamptz at time zone 'UTC', ${cursor.id}::uuid)`
    : undefined;
  const statuses = [...new Set(filter?.status ?? [])];
  if (unit?.parentId && statuses.length && !statuses.includes("CLOSED"))
    return listOpenQueue(ctx, unit.path, statuses, filter ?? {}, page, after);
  const where = await queueConditions(ctx, filter ?? {});
  const rows = await ctx.db
    .select({ ...getTableColumns(complaints), ...(page.counted && { total: TOTAL }) })
    .from(complaints)
    .where(and(where, after))
    .orderBy(asc(queueDue), asc(complaints.id))
    .limit(page.limit);
  return toConnection(
    rows,
    page,
    (r) => [deadlineInForce(r).toISOString(), r.id],
    async () => {
      const [{ n }] = await ctx.db
        .select({ n: sql<number>`count(*)::int` })
        .from(complaints)
        .where(where);
      return n;
    },
  );
}

/**
 * Open statuses of a unit below the ministry, in queue order, from complaints_open_queue_idx: each unit and
 * status gives its first `limit` rows in order (an index range each), and only the page's rows are read from
 * the table. The count, when asked with the first page, is an index-only scan in the same statement; the old
 * plan read every match's table page (881 in a region) to count and sort them. `status <> 'CLOSED'` is
 * written as a constant so that a generic plan can use the partial index too.
 */
async function listOpenQueue(
  ctx: Context,
  path: string,
  statuses: CaseStatus[],
  filter: ComplaintFilter,
  page: Page,
  after: SQL | undefined,
) {
  const inSubtree = sql`units u cross join unnest(${arrayParam(statuses, "text")}) s(status)`;
  const matches = and(
    sql`${complaints.unitId} = u.id and ${complaints.status} = s.status and ${complaints.status} <> 'CLOSED'`,
    await queueConditions(ctx, filter, false),
  );
  const subtree = sql`u.path like ${`${path}%`}`;
  const found = sql`(select q.id, q.due from ${inSubtree} cross join lateral (
      select ${complaints.id} as id, ${queueDue} as due from ${complaints} where ${and(matches, after)}
      order by 2, 1 limit ${page.limit}) q
    where ${subtree} order by q.due, q.id limit ${page.limit}) p`;
  const total = sql<number>`(select count(*)::int from ${inSubtree} join ${complaints} on ${matches}
    where ${subtree})`;
  const pageRows = (
    await rows<Record<string, unknown> & { total?: number }>(
      ctx.db,
      sql`select ${queueRows.columns}${page.counted ? sql`, ${total} as total` : sql``}
        from ${complaints} join ${found} on p.id = ${complaints.id} order by p.due, p.id`,
    )
  ).map((r) => Object.assign(queueRows.map(r), page.counted && { total: r.total }));
  return toConnection(
    pageRows,
    page,
    (r) => [deadlineInForce(r).toISOString(), r.id],
    async () => (await rows<{ n: number }>(ctx.db, sql`select ${total} as n`))[0].n,
  );
}

/** The filter's conditions on `complaints`; the unit's subtree and the statuses only with `unitAndStatus`. */
async function queueConditions(
  ctx: Context,
  filter: ComplaintFilter,
  unitAndStatus = true,
): Promise<SQL | undefined> {
  const conditions: (SQL | undefined)[] = [];
  const now = ctx.now.toISOString();
  const due = sql`coalesce(${complaints.extendedTo}, ${complaints.responseDueAt})`;
  if (unitAndStatus && filter.status?.length)
    conditions.push(anyOf(complaints.status, filter.status));
  if (filter.trackingNumber)
    conditions.push(eq(complaints.trackingNumber, filter.trackingNumber.trim().toUpperCase()));
  if (unitAndStatus && filter.unitCode) {
    const unit = await ctx.loaders.unitByCode.load(filter.unitCode);
    if (!unit) throw badInput("filter.unitCode", "no unit has this code");
    conditions.push(inUnitSubtree(complaints.unitId, unit.path));
  }
  if (filter.overdue === true)
    conditions.push(and(ne(complaints.status, "CLOSED"), sql`${due} < ${now}::timestamptz`));
  if (filter.overdue === false)
    conditions.push(or(eq(complaints.status, "CLOSED"), sql`${due} >= ${now}::timestamptz`));
  if (filter.category) {
    conditions.push(
      exists(
        ctx.db
          .select({ one: sql`1` })
          .from(allegations)
          .where(
            and(
              eq(allegations.complaintId, complaints.id),
              eq(allegations.category, filter.category),
            ),
          ),
      ),
    );
  }
  if (filter.officerBadge) {
    conditions.push(
      exists(
        ctx.db
          .select({ one: sql`1` })
          .from(allegations)
          .innerJoin(officers, eq(officers.id, allegations.officerId))
          .where(
            and(
              eq(allegations.complaintId, complaints.id),
              eq(officers.badgeNumber, filter.officerBadge),
            ),
          ),
      ),
    );
  }
  if (filter.assigneeId) conditions.push(eq(complaints.assigneeId, filter.assigneeId));
  if (filter.registeredFrom) conditions.push(gte(complaints.registeredAt, filter.registeredFrom));
  if (filter.registeredTo) conditions.push(lt(complaints.registeredAt, filter.registeredTo));
  return and(...conditions);
}

type Change = Partial<typeof complaints.$inferInsert>;
interface Event {
  kind: string;
  note?: string | null;
  publicMessage?: string | null;
}

/**
 * The one way a complaint changes: lock it, check the version (CONFLICT) and the state (INVALID_STATE),
 * apply the change with version + 1, write the timeline entry and the audit record, all in one transaction.
 */
async function changeComplaint(
  ctx: Context,
  { action, input }: { action: string; input: unknown },
  complaintId: string,
  expectedVersion: number | null | undefined,
  decide: (complaint: ComplaintRow, tx: Tx) => Promise<{ change?: Change; events: Event[] }>,
): Promise<ComplaintRow> {
  if (!isUuid(complaintId)) throw notFound("Complaint");
  return inTransaction(ctx, async (tx, audit) => {
    const [complaint] = await tx
      .select()
      .from(complaints)
      .where(eq(complaints.id, complaintId))
      .for("update");
    if (!complaint) throw notFound("Complaint");
    if (expectedVersion != null && complaint.version !== expectedVersion)
      throw conflict("The complaint");
    const { change = {}, events } = await decide(complaint, tx);
    const [updated] = await tx
      .update(complaints)
      .set({ ...change, version: complaint.version + 1 })
      .where(eq(complaints.id, complaintId))
      .returning();
    const at = ctx.now.getTime();
    if (events.length) {
      // The key in force after the change: erasure replaces it, and its own note is sealed by the new one.
      const key = ctx.recordKeys.of("complaints", updated);
      // One millisecond apart: the timeline is ordered by time, and entries of one change keep their order.
      await tx.insert(complaintEvents).values(
        events.map((e, i) => {
          const id = randomUUID();
          return {
            id,
            complaintId,
            at: new Date(at + i),
            kind: e.kind,
            actorId: ctx.principal?.id ?? null,
            noteSealed: key.seal("complaint_events", "note", id, e.note),
            publicMessage: e.publicMessage ?? null,
          };
        }),
      );
    }
    audit({ action, entity: "Complaint", entityId: complaintId, input });
    return updated;
  });
}

const requireStatus = (complaint: ComplaintRow, allowed: CaseStatus[], move: string) => {
  if (!allowed.includes(complaint.status))
    throw invalidState(`Cannot ${move} a complaint that is ${complaint.status}`);
};

export function assignComplaint(ctx: Context, input: AssignComplaintInput) {
  return changeComplaint(
    ctx,
    { action: "assignComplaint", input },
    input.complaintId,
    input.expectedVersion,
    async (complaint, tx) => {
      requireStatus(complaint, OPEN, "assign");
      const [assignee] = await tx
        .select()
        .from(principals)
        .where(eq(principals.id, input.assigneeId));
      if (
        !assignee ||
        principalStatus(assignee, ctx.now) !== "ACTIVE" ||
        !["INVESTIGATOR", "SUPERVISOR"].includes(assignee.role)
      ) {
        throw badInput(
          "input.assigneeId",
          "assigneeId must be an active INVESTIGATOR or SUPERVISOR",
        );
      }
      // A first assignment moves the case on; later ones only change hands.
      const status = complaint.status === "REGISTERED" ? "ASSIGNED" : complaint.status;
      return {
        change: { assigneeId: assignee.id, status },
        events: [{ kind: "ASSIGNED", note: `Assigned to ${assignee.name}` }],
      };
    },
  );
}

export function startInvestigation(ctx: Context, input: ComplaintTransitionInput) {
  return changeComplaint(
    ctx,
    { action: "startInvestigation", input },
    input.complaintId,
    input.expectedVersion,
    async (complaint) => {
      requireStatus(complaint, ["ASSIGNED", "REOPENED"], "start investigating");
      return {
        change: { status: "UNDER_INVESTIGATION" },
        events: [{ kind: "INVESTIGATION_STARTED", note: input.note }],
      };
    },
  );
}

export function submitForReview(ctx: Context, input: ComplaintTransitionInput) {
  return changeComplaint(
    ctx,
    { action: "submitForReview", input },
    input.complaintId,
    input.expectedVersion,
    async (complaint) => {
      requireStatus(complaint, ["UNDER_INVESTIGATION"], "submit for review");
      return {
        change: { status: "PENDING_REVIEW" },
        events: [{ kind: "SUBMITTED_FOR_REVIEW", note: input.note }],
      };
    },
  );
}

export function closeComplaint(ctx: Context, input: CloseComplaintInput) {
  return changeComplaint(
    ctx,
    { action: "closeComplaint", input },
    input.complaintId,
    input.expectedVersion,
    async (complaint, tx) => {
      requireStatus(
        complaint,
        ["REGISTERED", "ASSIGNED", "UNDER_INVESTIGATION", "PENDING_REVIEW"],
        "close",
      );
      const rows = await tx
        .select()
        .from(allegations)
        .where(eq(allegations.complaintId, complaint.id));
      // Before review only closure reasons can end a case; after review every allegation needs an outcome.
      const early = complaint.status !== "PENDING_REVIEW";
      const unresolved = rows.filter((a) =>
        early ? !a.closureReason : !a.closureReason && !a.finding,
      );
      if (unresolved.length) {
        throw invalidState(
          early
            ? `Before review a complaint closes only when every allegation has a closure reason (${unresolved.length} without)`
            : `${unresolved.length} allegation(s) have neither a finding nor a closure reason`,
        );
      }
      const closedAt = ctx.now;
      const events: Event[] = [
        { kind: "CLOSED", publicMessage: publicMessages.closed(complaint.language) },
      ];
      if (input.publicMessage) events.push({ kind: "NOTE", publicMessage: input.publicMessage });
      return { change: { status: "CLOSED", closedAt }, events };
    },
  );
}

export function reopenComplaint(ctx: Context, input: ComplaintTransitionInput) {
  return changeComplaint(
    ctx,
    { action: "reopenComplaint", input },
    input.complaintId,
    input.expectedVersion,
    async (complaint) => {
      requireStatus(complaint, ["CLOSED"], "reopen");
      return {
        change: { status: "REOPENED", closedAt: null },
        events: [
          {
            kind: "REOPENED",
            note: input.note,
            publicMessage: publicMessages.reopened(complaint.language),
          },
        ],
      };
    },
  );
}

export function extendResponseDeadline(ctx: Context, input: ExtendResponseDeadlineInput) {
  return changeComplaint(
    ctx,
    { action: "extendResponseDeadline", input },
    input.complaintId,
    input.expectedVersion,
    async (complaint) => {
      requireStatus(complaint, OPEN, "extend the deadline of");
      if (complaint.extendedTo) throw invalidState("The deadline has already been extended once");
      if (input.until <= complaint.responseDueAt)
        throw badInput("input.until", "until must be later than the current deadline");
      if (input.until > addMonths(complaint.registeredAt, 2)) {
        throw badInput("input.until", "until can be at most 2 calendar months after registration");
      }
      return {
        change: { extendedTo: input.until },
        events: [
          {
            kind: "DEADLINE_EXTENDED",
            note: input.reason,
            publicMessage: publicMessages.extended(complaint.language, input.until),
          },
        ],
      };
    },
  );
}

export function addCaseNote(ctx: Context, input: AddCaseNoteInput) {
  return changeComplaint(
    ctx,
    { action: "addCaseNote", input },
    input.complaintId,
    input.expectedVersion,
    async () => ({
      events: [{ kind: "NOTE", note: input.note, publicMessage: input.publicMessage }],
    }),
  );
}

export function eraseComplainantData(ctx: Context, input: EraseComplainantDataInput) {
  return changeComplaint(
    ctx,
    { action: "eraseComplainantData", input },
    input.complaintId,
    null,
    async (complaint, tx) => {
      if (complaint.complainantErasedAt)
        throw invalidState("The complainant's data has already been erased");
      // The old key goes, and with it everything it sealed, in backups too; what remains is cleared here
      // so that no ciphertext is left that nothing can open. Text written from now on gets the new key.
      await tx
        .update(allegations)
        .set({ descriptionSealed: null })
        .where(eq(allegations.complaintId, complaint.id));
      await tx
        .update(complaintEvents)
        .set({ noteSealed: null })
        .where(eq(complaintEvents.complaintId, complaint.id));
      return {
        change: {
          dataKey: newRecordKey(ctx.keys, "complaints", complaint.id).wrapped,
          complainantNameSealed: null,
          complainantEmailSealed: null,
          complainantPhoneSealed: null,
          feedbackCommentSealed: null,
          narrativeSealed: null,
          incidentPlaceSealed: null,
          complainantErasedAt: ctx.now,
        },
        events: [{ kind: "COMPLAINANT_DATA_ERASED", note: input.reason }],
      };
    },
  );
}

/** The officer's unit on the incident's date, so metrics follow where it happened. */
async function officerAtIncident(
  ctx: Context,
  tx: Tx,
  badge: string,
  field: string,
  complaint: ComplaintRow,
) {
  const { officerId, unitId } = await officerOnDay(ctx, tx, badge, field, complaint.incidentAt);
  return { officerId, unitAtIncidentId: unitId };
}

export async function addAllegation(
  ctx: Context,
  input: AddAllegationInput,
): Promise<AllegationRow> {
  let created!: AllegationRow;
  await changeComplaint(
    ctx,
    { action: "addAllegation", input },
    input.complaintId,
    input.expectedVersion,
    async (complaint, tx) => {
      requireStatus(complaint, OPEN, "add an allegation to");
      const officer = input.officerBadge
        ? await officerAtIncident(ctx, tx, input.officerBadge, "input.officerBadge", complaint)
        : { officerId: null, unitAtIncidentId: null };
      const id = randomUUID();
      const key = ctx.recordKeys.of("complaints", complaint);
      [created] = await tx
        .insert(allegations)
        .values({
          id,
          complaintId: complaint.id,
          complaintRegisteredAt: complaint.registeredAt,
          category: input.category,
          descriptionSealed: key.seal("allegations", "description", id, input.description),
          ...officer,
        })
        .returning();
      return { events: [{ kind: "ALLEGATION_ADDED", note: `${input.category} allegation added` }] };
    },
  );
  return created;
}

/** Loads an allegation and runs a change on its complaint (version, state, timeline, audit as for any change). */
async function changeAllegation(
  ctx: Context,
  step: { action: string; input: unknown },
  allegationId: string,
  expectedVersion: number | null | undefined,
  decide: (
    allegation: AllegationRow,
    complaint: ComplaintRow,
    tx: Tx,
  ) => Promise<{ set: Partial<AllegationRow>; event: Event }>,
): Promise<AllegationRow> {
  const [found] = isUuid(allegationId)
    ? await ctx.db.select().from(allegations).where(eq(allegations.id, allegationId))
    : [];
  if (!found) throw notFound("Allegation");
  let updated!: AllegationRow;
  await changeComplaint(ctx, step, found.complaintId, expectedVersion, async (complaint, tx) => {
    requireStatus(complaint, OPEN, "change an allegation of");
    const [allegation] = await tx
      .select()
      .from(allegations)
      .where(eq(allegations.id, allegationId));
    const { set, event } = await decide(allegation, complaint, tx);
    [updated] = await tx
      .update(allegations)
      .set(set)
      .where(eq(allegations.id, allegationId))
      .returning();
    return { events: [event] };
  });
  return updated;
}

export function identifyOfficer(ctx: Context, input: IdentifyOfficerInput) {
  return changeAllegation(
    ctx,
    { action: "identifyOfficer", input },
    input.allegationId,
    input.expectedVersion,
    async (allegation, complaint, tx) => {
      if (allegation.finding || allegation.recommendedFinding) {
        throw invalidState("The officer cannot change once a finding has been recorded");
      }
      const officer = await officerAtIncident(
        ctx,
        tx,
        input.officerBadge,
        "input.officerBadge",
        complaint,
      );
      return {
        set: officer,
        event: { kind: "OFFICER_IDENTIFIED", note: `Officer ${input.officerBadge} identified` },
      };
    },
  );
}

/**
 * An INVESTIGATOR recommends; a SUPERVISOR decides. A finding on the merits and a closure reason
 * exclude each other: recording one clears the other.
 */
export function recordFinding(ctx: Context, input: RecordFindingInput) {
  if (!input.finding === !input.closureReason) {
    throw badInput(
      input.finding ? "input.closureReason" : "input.finding",
      "give either a finding or a closureReason",
    );
  }
  const supervisor = ctx.principal?.role === "SUPERVISOR";
  return changeAllegation(
    ctx,
    { action: "recordFinding", input },
    input.allegationId,
    input.expectedVersion,
    async (allegation, complaint) => {
      // An investigator only recommends: nothing they record may replace a supervisor's decision, a
      // final finding or a closure reason.
      if (!supervisor && (allegation.finding || allegation.decidedBySupervisor)) {
        throw invalidState(
          "The allegation has a supervisor's decision; only a SUPERVISOR can change it",
        );
      }
      if (input.finding && !["UNDER_INVESTIGATION", "PENDING_REVIEW"].includes(complaint.status)) {
        throw invalidState(
          `A finding on the merits needs an investigation; the complaint is ${complaint.status}`,
        );
      }
      const rationale = input.rationale;
      const set: Partial<AllegationRow> = input.closureReason
        ? {
            closureReason: input.closureReason,
            finding: null,
            findingRationale: rationale,
            decidedBySupervisor: supervisor,
          }
        : supervisor
          ? {
              finding: input.finding!,
              closureReason: null,
              findingRationale: rationale,
              decidedBySupervisor: true,
            }
          : { recommendedFinding: input.finding!, findingRationale: rationale };
      const what = input.closureReason
        ? `closure reason ${input.closureReason}`
        : `${supervisor ? "finding" : "recommended finding"} ${input.finding}`;
      return { set, event: { kind: "FINDING_RECORDED", note: `${what} recorded` } };
    },
  );
}
