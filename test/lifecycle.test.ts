import { asFixture, complaintKey } from "./helpers/database";
import { eq } from "drizzle-orm";
import { addMonths } from "../src/common/dates";
import { principals } from "../src/db/schema";
import { createDistrict, createOfficer } from "./helpers/factories";
import {
  advanceTo,
  caseFile,
  caseIn,
  complaintRow,
  DAY,
  daysFromNow,
  everythingAbout,
  openCase,
  setDeadline,
  statementsDuring,
  STATUSES,
  timelineRows,
  type CaseFileView,
  type Status,
} from "./helpers/cases";
import {
  errorOf,
  ok,
  startTestServer,
  type Caller,
  type GraphQLResult,
  type TestServer,
} from "./helpers/server";

let t: TestServer;
let supervisor: Caller;
let investigator: Caller;
beforeAll(async () => {
  t = await startTestServer();
  supervisor = await t.as("SUPERVISOR");
  investigator = await t.as("INVESTIGATOR");
});
afterAll(() => t.close());

const db = () => t.database.db;

/** The public view, as the complainant opens it with the receipt. */
async function publicView(receipt: { trackingNumber: string; accessCode: string }) {
  return ok(await t.public.op("ComplaintStatus", receipt)).complaintStatus as {
    status: string;
    responseDueAt: string;
    closedAt: string | null;
    outcome: string | null;
    updates: { at: string; message: string }[];
  };
}

/** Records a supervisor's final finding on every allegation that has no outcome yet. */
async function decideEverything(
  file: CaseFileView,
  finding = "NOT_SUSTAINED",
): Promise<CaseFileView> {
  for (const a of file.allegations.filter((a) => !a.finding && !a.closureReason)) {
    ok(
      await supervisor.op("RecordFinding", {
        input: { allegationId: a.id, finding, rationale: "Decided on the evidence." },
      }),
    );
  }
  return caseFile(supervisor, file.id);
}

/** Records a closure reason on every allegation. */
async function closeEveryAllegation(
  file: CaseFileView,
  closureReason = "WITHDRAWN",
): Promise<CaseFileView> {
  for (const a of file.allegations) {
    ok(
      await supervisor.op("RecordFinding", {
        input: { allegationId: a.id, closureReason, rationale: "Complainant withdrew." },
      }),
    );
  }
  return caseFile(supervisor, file.id);
}

/** The moves of the state machine, sent by a SUPERVISOR with the version just read. */
const MOVES: Record<string, (file: CaseFileView) => Promise<GraphQLResult>> = {
  assignComplaint: (f) =>
    supervisor.op("AssignComplaint", {
      input: {
        complaintId: f.id,
        assigneeId: investigator.principalId,
        expectedVersion: f.version,
      },
    }),
  startInvestigation: (f) =>
    supervisor.op("StartInvestigation", {
      input: {
        complaintId: f.id,
        expectedVersion: f.version,
        note: "Body-camera footage requested.",
      },
    }),
  submitForReview: (f) =>
    supervisor.op("SubmitForReview", { input: { complaintId: f.id, expectedVersion: f.version } }),
  closeComplaint: (f) =>
    supervisor.op("CloseComplaint", { input: { complaintId: f.id, expectedVersion: f.version } }),
  reopenComplaint: (f) =>
    supervisor.op("ReopenComplaint", {
      input: { complaintId: f.id, expectedVersion: f.version, note: "New evidence." },
    }),
};
type Move = keyof typeof MOVES;

/** Where each move may start; closing before review also needs closure reasons and is tested on its own. */
const ALLOWED_FROM: Record<Move, Status[]> = {
  assignComplaint: ["REGISTERED", "ASSIGNED", "UNDER_INVESTIGATION", "PENDING_REVIEW", "REOPENED"],
  startInvestigation: ["ASSIGNED", "REOPENED"],
  submitForReview: ["UNDER_INVESTIGATION"],
  closeComplaint: ["PENDING_REVIEW", "REGISTERED", "ASSIGNED", "UNDER_INVESTIGATION"],
  reopenComplaint: ["CLOSED"],
};

const RESULT: Record<Move, (from: Status) => { status: Status; kind: string }> = {
  assignComplaint: (from) => ({
    status: from === "REGISTERED" ? "ASSIGNED" : from,
    kind: "ASSIGNED",
  }),
  startInvestigation: () => ({ status: "UNDER_INVESTIGATION", kind: "INVESTIGATION_STARTED" }),
  submitForReview: () => ({ status: "PENDING_REVIEW", kind: "SUBMITTED_FOR_REVIEW" }),
  closeComplaint: () => ({ status: "CLOSED", kind: "CLOSED" }),
  reopenComplaint: () => ({ status: "REOPENED", kind: "REOPENED" }),
};

describe("the moves the state machine allows", () => {
  const CASES = (Object.keys(MOVES) as Move[]).flatMap((move) =>
    ALLOWED_FROM[move]
      .filter((from) => move !== "closeComplaint" || from === "PENDING_REVIEW")
      .map((from) => [move, from] as const),
  );

  it.each(CASES)(
    "%s from %s: one version, one timeline entry, one audit record",
    async (move, from) => {
      let { file } = await caseIn(t, from);
      if (move === "closeComplaint") file = await decideEverything(file);
      const before = await everythingAbout(db(), file.id);

      const result = ok(await MOVES[move](file))[move].complaint;

      const expected = RESULT[move](from);
      expect(result).toMatchObject({
        id: file.id,
        version: file.version + 1,
        status: expected.status,
      });
      const after = await everythingAbout(db(), file.id);
      expect(after.row).toMatchObject({ version: before.row.version + 1, status: expected.status });
      expect(after.timeline.slice(0, before.timeline.length)).toEqual(before.timeline);
      expect(after.timeline.slice(before.timeline.length).map((e) => [e.kind, e.actorId])).toEqual([
        [expected.kind, supervisor.principalId],
      ]);
      expect(after.audit.slice(before.audit.length)).toEqual([
        expect.objectContaining({
          action: move,
          entity: "Complaint",
          entityId: file.id,
          outcome: "SUCCESS",
          principalId: supervisor.principalId,
        }),
      ]);
    },
  );

  it("takes a complaint the whole road and back: assigned, investigated, reviewed, closed, reopened, investigated again", async () => {
    const { id, receipt } = await openCase(t, { language: "EN" });
    const v = (version: number) => ({ complaintId: id, expectedVersion: version });

    const assigned = ok(
      await investigator.op("AssignComplaint", {
        input: { ...v(1), assigneeId: investigator.principalId },
      }),
    );
    expect(assigned.assignComplaint.complaint).toEqual({
      id,
      version: 2,
      status: "ASSIGNED",
      assignee: { id: investigator.principalId },
    });
    expect(
      ok(
        await investigator.op("StartInvestigation", {
          input: { ...v(2), note: "Body-camera footage requested." },
        }),
      ).startInvestigation.complaint,
    ).toEqual({
      id,
      version: 3,
      status: "UNDER_INVESTIGATION",
    });
    const [allegation] = (await caseFile(investigator, id)).allegations;
    ok(
      await investigator.op("RecordFinding", {
        input: {
          allegationId: allegation.id,
          finding: "SUSTAINED",
          rationale: "Video confirms the account.",
          expectedVersion: 3,
        },
      }),
    );
    expect(
      ok(await investigator.op("SubmitForReview", { input: v(4) })).submitForReview.complaint,
    ).toEqual({ id, version: 5, status: "PENDING_REVIEW" });
    ok(
      await supervisor.op("RecordFinding", {
        input: {
          allegationId: allegation.id,
          finding: "SUSTAINED",
          rationale: "Agreed.",
          expectedVersion: 5,
        },
      }),
    );
    const closed = ok(
      await supervisor.op("CloseComplaint", {
        input: { ...v(6), publicMessage: "Your complaint was upheld." },
      }),
    ).closeComplaint.complaint;
    expect(closed).toEqual({ id, version: 7, status: "CLOSED", closedAt: expect.any(String) });
    expect(await publicView(receipt)).toMatchObject({
      status: "CLOSED",
      closedAt: closed.closedAt,
      outcome: "UPHELD",
    });

    expect(
      ok(
        await supervisor.op("ReopenComplaint", {
          input: { ...v(7), note: "Prosecutor's objection." },
        }),
      ).reopenComplaint.complaint,
    ).toEqual({
      id,
      version: 8,
      status: "REOPENED",
    });
    expect(await publicView(receipt)).toMatchObject({
      status: "REOPENED",
      closedAt: null,
      outcome: null,
    });
    expect(
      ok(await investigator.op("StartInvestigation", { input: v(8) })).startInvestigation.complaint
        .status,
    ).toBe("UNDER_INVESTIGATION");

    const file = await caseFile(investigator, id);
    expect(file).toMatchObject({
      version: 9,
      status: "UNDER_INVESTIGATION",
      closedAt: null,
      assignee: { id: investigator.principalId },
    });
    expect(file.timeline.map((e) => [e.kind, e.actor?.id ?? null])).toEqual([
      ["REGISTERED", null],
      ["ASSIGNED", investigator.principalId],
      ["INVESTIGATION_STARTED", investigator.principalId],
      ["FINDING_RECORDED", investigator.principalId],
      ["SUBMITTED_FOR_REVIEW", investigator.principalId],
      ["FINDING_RECORDED", supervisor.principalId],
      ["CLOSED", supervisor.principalId],
      ["NOTE", supervisor.principalId],
      ["REOPENED", supervisor.principalId],
      ["INVESTIGATION_STARTED", investigator.principalId],
    ]);
    expect(file.timeline.find((e) => e.kind === "INVESTIGATION_STARTED")?.note).toBe(
      "Body-camera footage requested.",
    );
    expect(file.timeline.find((e) => e.kind === "REOPENED")).toMatchObject({
      note: "Prosecutor's objection.",
      publicMessage: "Your complaint has been reopened for further investigation.",
    });
  });
});

describe("moves outside the state machine", () => {
  const CASES = (Object.keys(MOVES) as Move[]).flatMap((move) =>
    STATUSES.filter((from) => !ALLOWED_FROM[move].includes(from)).map(
      (from) => [move, from] as const,
    ),
  );

  it.each(CASES)("%s from %s gives INVALID_STATE and changes nothing", async (move, from) => {
    const { file } = await caseIn(t, from);
    const before = await everythingAbout(db(), file.id);
    expect(errorOf(await MOVES[move](file))).toEqual({ code: "INVALID_STATE" });
    expect(await everythingAbout(db(), file.id)).toEqual(before);
  });

  it("closes a reopened complaint only after a new investigation and review", async () => {
    const { file } = await caseIn(t, "REOPENED");
    // Every allegation already has a final finding from the first round: that is not enough.
    expect(file.allegations.every((a) => a.finding)).toBe(true);
    expect(errorOf(await MOVES.closeComplaint(file))).toEqual({ code: "INVALID_STATE" });
    const reviewed = await advanceTo(t, file.id, "PENDING_REVIEW");
    expect(ok(await MOVES.closeComplaint(reviewed)).closeComplaint.complaint.status).toBe("CLOSED");
  });

  const CHANGES_TO_A_CLOSED_CASE: Record<string, (file: CaseFileView) => Promise<GraphQLResult>> = {
    extendResponseDeadline: (f) =>
      supervisor.op("ExtendResponseDeadline", {
        input: {
          complaintId: f.id,
          expectedVersion: f.version,
          until: daysFromNow(30).toISOString(),
          reason: "Late.",
        },
      }),
    addAllegation: (f) =>
      supervisor.op("AddAllegation", {
        input: { complaintId: f.id, category: "DISCOURTESY", description: "Rude on the phone." },
      }),
    identifyOfficer: async (f) => {
      const officer = await createOfficer(await t.as("ADMIN"));
      return supervisor.op("IdentifyOfficer", {
        input: { allegationId: f.allegations[0].id, officerBadge: officer.badgeNumber },
      });
    },
    recordFinding: (f) =>
      supervisor.op("RecordFinding", {
        input: {
          allegationId: f.allegations[0].id,
          finding: "SUSTAINED",
          rationale: "Second thoughts.",
        },
      }),
    recordFindingClosureReason: (f) =>
      supervisor.op("RecordFinding", {
        input: {
          allegationId: f.allegations[0].id,
          closureReason: "WITHDRAWN",
          rationale: "Second thoughts.",
        },
      }),
  };

  it.each(Object.keys(CHANGES_TO_A_CLOSED_CASE))(
    "refuses %s on a closed complaint with INVALID_STATE, changing nothing",
    async (change) => {
      const { file } = await caseIn(t, "CLOSED");
      const before = await everythingAbout(db(), file.id);
      expect(errorOf(await CHANGES_TO_A_CLOSED_CASE[change](file))).toEqual({
        code: "INVALID_STATE",
      });
      expect(await everythingAbout(db(), file.id)).toEqual(before);
    },
  );
});

describe("assignComplaint", () => {
  it("hands an open case to another investigator, keeping its status and naming the new assignee on the timeline", async () => {
    const { file } = await caseIn(t, "UNDER_INVESTIGATION");
    const colleague = await t.newCaller("INVESTIGATOR", "Dana Omarova");
    const result = ok(
      await supervisor.op("AssignComplaint", {
        input: {
          complaintId: file.id,
          assigneeId: colleague.principalId,
          expectedVersion: file.version,
        },
      }),
    );
    expect(result.assignComplaint.complaint).toEqual({
      id: file.id,
      version: file.version + 1,
      status: "UNDER_INVESTIGATION",
      assignee: { id: colleague.principalId },
    });
    const after = await caseFile(colleague, file.id);
    expect(after.assignee).toEqual({ id: colleague.principalId, name: "Dana Omarova" });
    expect(after.timeline.at(-1)).toMatchObject({
      kind: "ASSIGNED",
      note: "Assigned to Dana Omarova",
      publicMessage: null,
      actor: { id: supervisor.principalId },
    });
  });

  it("may give a case to a supervisor", async () => {
    const { id } = await openCase(t);
    const head = await t.newCaller("SUPERVISOR", "Head of internal affairs");
    const result = ok(
      await investigator.op("AssignComplaint", {
        input: { complaintId: id, assigneeId: head.principalId, expectedVersion: 1 },
      }),
    );
    expect(result.assignComplaint.complaint.assignee).toEqual({ id: head.principalId });
  });

  const NOT_ASSIGNABLE: Record<string, () => Promise<string>> = {
    "an HR principal": async () => (await t.newCaller("HR")).principalId!,
    "an auditor": async () => (await t.newCaller("AUDITOR")).principalId!,
    "an unknown principal": async () => "0b7c2f44-1d55-4c36-9c4c-2d8b8f6a0e11",
    "a revoked investigator": async () => {
      const gone = await t.newCaller("INVESTIGATOR");
      ok(await (await t.as("ADMIN")).op("RevokeApiToken", { principalId: gone.principalId }));
      return gone.principalId!;
    },
    "an investigator whose token has expired": async () => {
      const gone = await t.newCaller("INVESTIGATOR");
      await asFixture(db(), (tx) =>
        tx
          .update(principals)
          .set({ expiresAt: new Date(Date.now() - 60_000) })
          .where(eq(principals.id, gone.principalId!)),
      );
      return gone.principalId!;
    },
  };

  it.each(Object.keys(NOT_ASSIGNABLE))(
    "refuses %s as assignee with BAD_USER_INPUT on input.assigneeId, changing nothing",
    async (who) => {
      const { id } = await openCase(t);
      const assigneeId = await NOT_ASSIGNABLE[who]();
      const before = await everythingAbout(db(), id);
      expect(
        errorOf(
          await supervisor.op("AssignComplaint", {
            input: { complaintId: id, assigneeId, expectedVersion: 1 },
          }),
        ),
      ).toEqual({
        code: "BAD_USER_INPUT",
        field: "input.assigneeId",
      });
      expect(await everythingAbout(db(), id)).toEqual(before);
    },
  );

  it("answers NOT_FOUND for a complaint that does not exist", async () => {
    const input = {
      complaintId: "6f1c1d0e-8a4b-4f7e-9d0a-3c5b2e1f4a77",
      assigneeId: investigator.principalId,
      expectedVersion: 1,
    };
    expect(errorOf(await supervisor.op("AssignComplaint", { input }))).toEqual({
      code: "NOT_FOUND",
    });
  });
});

describe("closeComplaint", () => {
  it("refuses to close a reviewed complaint while an allegation has neither a finding nor a closure reason", async () => {
    const { file } = await caseIn(t, "PENDING_REVIEW", { categories: ["FORCE", "DISCOURTESY"] });
    const [first, second] = file.allegations;
    ok(
      await supervisor.op("RecordFinding", {
        input: { allegationId: first.id, finding: "SUSTAINED", rationale: "Video." },
      }),
    );
    // An investigator's recommendation is not a finding.
    ok(
      await investigator.op("RecordFinding", {
        input: { allegationId: second.id, finding: "UNFOUNDED", rationale: "No such event." },
      }),
    );
    const decided = await caseFile(supervisor, file.id);
    const before = await everythingAbout(db(), file.id);

    expect(errorOf(await MOVES.closeComplaint(decided))).toEqual({ code: "INVALID_STATE" });
    expect(await everythingAbout(db(), file.id)).toEqual(before);

    ok(
      await supervisor.op("RecordFinding", {
        input: {
          allegationId: second.id,
          closureReason: "COMPLAINANT_UNAVAILABLE",
          rationale: "No answer.",
        },
      }),
    );
    const closed = ok(await MOVES.closeComplaint(await caseFile(supervisor, file.id)))
      .closeComplaint.complaint;
    expect(closed).toMatchObject({ status: "CLOSED", closedAt: expect.any(String) });
    expect((await complaintRow(db(), file.id)).closedAt?.toISOString()).toBe(closed.closedAt);
  });

  it.each(["REGISTERED", "ASSIGNED", "UNDER_INVESTIGATION"] as Status[])(
    "closes a %s complaint early when every allegation has a closure reason",
    async (from) => {
      const { file, receipt } = await caseIn(t, from, {
        categories: ["FORCE", "OFFENSIVE_LANGUAGE"],
      });
      const ready = await closeEveryAllegation(file, "MEDIATED");
      const closed = ok(await MOVES.closeComplaint(ready)).closeComplaint.complaint;
      expect(closed).toMatchObject({ version: ready.version + 1, status: "CLOSED" });
      expect(await publicView(receipt)).toMatchObject({
        status: "CLOSED",
        outcome: "CLOSED_WITHOUT_FINDING",
      });
    },
  );

  it.each(["REGISTERED", "ASSIGNED", "UNDER_INVESTIGATION"] as Status[])(
    "refuses to close a %s complaint early while one allegation has no closure reason",
    async (from) => {
      const { file } = await caseIn(t, from, { categories: ["FORCE", "OFFENSIVE_LANGUAGE"] });
      ok(
        await supervisor.op("RecordFinding", {
          input: {
            allegationId: file.allegations[0].id,
            closureReason: "WITHDRAWN",
            rationale: "Withdrawn.",
          },
        }),
      );
      const ready = await caseFile(supervisor, file.id);
      const before = await everythingAbout(db(), file.id);
      expect(errorOf(await MOVES.closeComplaint(ready))).toEqual({ code: "INVALID_STATE" });
      expect(await everythingAbout(db(), file.id)).toEqual(before);
    },
  );

  it("does not close an investigation early on a finding on the merits: that needs the review", async () => {
    const { file } = await caseIn(t, "UNDER_INVESTIGATION");
    const decided = await decideEverything(file, "SUSTAINED");
    expect(errorOf(await MOVES.closeComplaint(decided))).toEqual({ code: "INVALID_STATE" });
    expect((await complaintRow(db(), file.id)).status).toBe("UNDER_INVESTIGATION");
  });

  it("tells the complainant, in their language, and puts the closing message on the public timeline", async () => {
    const { file, receipt } = await caseIn(t, "PENDING_REVIEW", { language: "RU" });
    const decided = await decideEverything(file, "SUSTAINED");
    const message = "Ваша жалоба подтверждена; к сотруднику применены меры.";
    ok(
      await supervisor.op("CloseComplaint", {
        input: { complaintId: file.id, expectedVersion: decided.version, publicMessage: message },
      }),
    );

    const view = await publicView(receipt);
    expect(view).toMatchObject({
      status: "CLOSED",
      outcome: "UPHELD",
      closedAt: expect.any(String),
    });
    expect(view.updates.map((u) => u.message).slice(-2)).toEqual([
      "Рассмотрение вашей жалобы завершено.",
      message,
    ]);
    // Internal notes and rationales stay inside.
    expect(JSON.stringify(view)).not.toContain("Decided on the evidence.");
    const timeline = await timelineRows(db(), file.id);
    expect(timeline.slice(-2).map((e) => [e.kind, e.publicMessage])).toEqual([
      ["CLOSED", "Рассмотрение вашей жалобы завершено."],
      ["NOTE", message],
    ]);
  });
});

describe("recordFinding", () => {
  it("takes an investigator's finding as a recommendation and a supervisor's as the final finding", async () => {
    const { file } = await caseIn(t, "UNDER_INVESTIGATION");
    const allegationId = file.allegations[0].id;

    const recommended = ok(
      await investigator.op("RecordFinding", {
        input: { allegationId, finding: "SUSTAINED", rationale: "Video confirms the account." },
      }),
    );
    expect(recommended.recordFinding.allegation).toEqual({
      id: allegationId,
      recommendedFinding: "SUSTAINED",
      finding: null,
      closureReason: null,
    });

    const final = ok(
      await supervisor.op("RecordFinding", {
        input: {
          allegationId,
          finding: "POLICY_FAILURE",
          rationale: "Training gap, not misconduct.",
        },
      }),
    );
    expect(final.recordFinding.allegation).toEqual({
      id: allegationId,
      recommendedFinding: "SUSTAINED",
      finding: "POLICY_FAILURE",
      closureReason: null,
    });

    const after = await caseFile(supervisor, file.id);
    expect(after.version).toBe(file.version + 2);
    expect(after.allegations[0].findingRationale).toBe("Training gap, not misconduct.");
    expect(
      after.timeline.slice(-2).map((e) => [e.kind, e.note, e.publicMessage, e.actor?.id]),
    ).toEqual([
      [
        "FINDING_RECORDED",
        "recommended finding SUSTAINED recorded",
        null,
        investigator.principalId,
      ],
      ["FINDING_RECORDED", "finding POLICY_FAILURE recorded", null, supervisor.principalId],
    ]);
  });

  it("keeps a finding on the merits and a closure reason exclusive: recording one clears the other", async () => {
    const { file } = await caseIn(t, "PENDING_REVIEW");
    const allegationId = file.allegations[0].id;
    const record = async (input: Record<string, unknown>) =>
      ok(
        await supervisor.op("RecordFinding", {
          input: { allegationId, rationale: "See file.", ...input },
        }),
      ).recordFinding.allegation;

    expect(await record({ finding: "EXONERATED" })).toMatchObject({
      finding: "EXONERATED",
      closureReason: null,
    });
    expect(await record({ closureReason: "SUBJECT_SEPARATED" })).toMatchObject({
      finding: null,
      closureReason: "SUBJECT_SEPARATED",
    });
    expect(await record({ finding: "NOT_SUSTAINED" })).toMatchObject({
      finding: "NOT_SUSTAINED",
      closureReason: null,
    });
  });

  it.each([
    ["neither a finding nor a closure reason", {}, "input.finding"],
    [
      "both a finding and a closure reason",
      { finding: "SUSTAINED", closureReason: "WITHDRAWN" },
      "input.closureReason",
    ],
  ])("refuses %s with BAD_USER_INPUT, changing nothing", async (_what, outcome, field) => {
    const { file } = await caseIn(t, "UNDER_INVESTIGATION");
    const before = await everythingAbout(db(), file.id);
    const result = await supervisor.op("RecordFinding", {
      input: { allegationId: file.allegations[0].id, rationale: "?", ...outcome },
    });
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field });
    expect(await everythingAbout(db(), file.id)).toEqual(before);
  });

  it("refuses a finding or closure reason without a written rationale, from any role, changing nothing", async () => {
    const { file } = await caseIn(t, "PENDING_REVIEW");
    const allegationId = file.allegations[0].id;
    const before = await everythingAbout(db(), file.id);
    for (const caller of [investigator, supervisor]) {
      for (const outcome of [{ finding: "SUSTAINED" }, { closureReason: "WITHDRAWN" }]) {
        for (const rationale of [undefined, null, ""]) {
          const result = await caller.op("RecordFinding", {
            input: { allegationId, rationale, ...outcome },
          });
          expect(errorOf(result).code).toBe("BAD_USER_INPUT");
        }
        for (const rationale of ["   ", "\n\t\r"]) {
          const result = await caller.op("RecordFinding", {
            input: { allegationId, rationale, ...outcome },
          });
          expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "input.rationale" });
        }
      }
    }
    expect(await everythingAbout(db(), file.id)).toEqual(before);
  });

  it.each(["REGISTERED", "ASSIGNED", "REOPENED"] as Status[])(
    "refuses a finding on the merits on a %s complaint (no investigation under way) with INVALID_STATE",
    async (from) => {
      const { file } = await caseIn(t, from);
      const before = await everythingAbout(db(), file.id);
      const result = await supervisor.op("RecordFinding", {
        input: {
          allegationId: file.allegations[0].id,
          finding: "SUSTAINED",
          rationale: "Too early.",
        },
      });
      expect(errorOf(result)).toEqual({ code: "INVALID_STATE" });
      expect(await everythingAbout(db(), file.id)).toEqual(before);
    },
  );

  it("accepts a closure reason before any investigation (a withdrawn complaint)", async () => {
    const { id, allegationIds } = await openCase(t);
    const result = ok(
      await investigator.op("RecordFinding", {
        input: {
          allegationId: allegationIds[0],
          closureReason: "WITHDRAWN",
          rationale: "Letter of withdrawal.",
        },
      }),
    );
    expect(result.recordFinding.allegation).toMatchObject({
      closureReason: "WITHDRAWN",
      finding: null,
    });
    expect((await complaintRow(db(), id)).version).toBe(2);
  });

  it("does not let an investigator replace a supervisor's final finding", async () => {
    const { file } = await caseIn(t, "PENDING_REVIEW");
    const allegationId = file.allegations[0].id;
    ok(
      await supervisor.op("RecordFinding", {
        input: { allegationId, finding: "SUSTAINED", rationale: "Video." },
      }),
    );
    const before = await everythingAbout(db(), file.id);
    for (const outcome of [
      { closureReason: "ADMINISTRATIVELY_CLOSED" },
      { finding: "EXONERATED" },
    ]) {
      const result = await investigator.op("RecordFinding", {
        input: { allegationId, rationale: "Overrule.", ...outcome },
      });
      expect(errorOf(result)).toEqual({ code: "INVALID_STATE" });
    }
    expect(await everythingAbout(db(), file.id)).toEqual(before);
    expect(before.allegations[0]).toMatchObject({
      finding: "SUSTAINED",
      findingRationale: "Video.",
    });
  });

  it("does not let an investigator replace a supervisor's closure reason", async () => {
    const { file } = await caseIn(t, "UNDER_INVESTIGATION");
    const allegationId = file.allegations[0].id;
    ok(
      await supervisor.op("RecordFinding", {
        input: { allegationId, closureReason: "REFERRED_TO_PROSECUTOR", rationale: "Criminal." },
      }),
    );
    const before = await everythingAbout(db(), file.id);
    for (const outcome of [{ closureReason: "WITHDRAWN" }, { finding: "UNFOUNDED" }]) {
      const result = await investigator.op("RecordFinding", {
        input: { allegationId, rationale: "Changed my mind.", ...outcome },
      });
      expect(errorOf(result)).toEqual({ code: "INVALID_STATE" });
    }
    expect(await everythingAbout(db(), file.id)).toEqual(before);
    // A supervisor may still change it.
    ok(
      await supervisor.op("RecordFinding", {
        input: { allegationId, closureReason: "WITHDRAWN", rationale: "The complainant withdrew." },
      }),
    );
  });

  it("answers NOT_FOUND for an allegation that does not exist", async () => {
    const input = {
      allegationId: "5b0f7c1a-2d3e-4f50-8a6b-7c8d9e0f1a2b",
      closureReason: "WITHDRAWN",
      rationale: "Withdrawn by letter.",
    };
    expect(errorOf(await supervisor.op("RecordFinding", { input }))).toEqual({ code: "NOT_FOUND" });
  });
});

describe("allegations and officers", () => {
  let admin: Caller;
  let oldDistrict: string;
  let newDistrict: string;
  beforeAll(async () => {
    admin = await t.as("ADMIN");
    oldDistrict = await createDistrict(admin, "KZ-KAR");
    newDistrict = await createDistrict(admin, "KZ-PAV");
  });

  /** An officer who served in oldDistrict at the incident (three days ago) and was transferred today. */
  async function transferredOfficer() {
    const officer = await createOfficer(admin, {
      unitCode: oldDistrict,
      fullName: "Yerlan Zhaksybekov",
      rank: "CAPTAIN",
    });
    ok(
      await admin.op("TransferOfficer", {
        input: { badgeNumber: officer.badgeNumber, unitCode: newDistrict },
      }),
    );
    return officer;
  }

  it("adds an allegation against a named officer, recording the unit they served in at the incident", async () => {
    const officer = await transferredOfficer();
    const { id } = await openCase(t);
    const result = ok(
      await investigator.op("AddAllegation", {
        input: {
          complaintId: id,
          officerBadge: officer.badgeNumber,
          category: "FORCE",
          description: "Pushed the complainant.",
        },
      }),
    );
    expect(result.addAllegation.allegation).toEqual({
      id: expect.any(String),
      category: "FORCE",
      officer: { badgeNumber: officer.badgeNumber },
    });

    const file = await caseFile(investigator, id);
    expect(file.version).toBe(2);
    expect(file.allegations.at(-1)).toEqual({
      id: result.addAllegation.allegation.id,
      category: "FORCE",
      description: "Pushed the complainant.",
      officer: {
        id: officer.id,
        badgeNumber: officer.badgeNumber,
        fullName: "Yerlan Zhaksybekov",
        rank: "CAPTAIN",
      },
      unitAtIncident: { code: oldDistrict },
      recommendedFinding: null,
      finding: null,
      closureReason: null,
      findingRationale: null,
    });
    expect(file.timeline.at(-1)).toMatchObject({
      kind: "ALLEGATION_ADDED",
      note: "FORCE allegation added",
      actor: { id: investigator.principalId },
    });
  });

  it("adds an allegation against an officer not yet identified", async () => {
    const { id } = await openCase(t);
    const result = ok(
      await investigator.op("AddAllegation", {
        input: { complaintId: id, category: "LACK_OF_SERVICE", expectedVersion: 1 },
      }),
    );
    expect(result.addAllegation.allegation).toMatchObject({
      category: "LACK_OF_SERVICE",
      officer: null,
    });
    expect((await caseFile(investigator, id)).allegations.at(-1)).toMatchObject({
      officer: null,
      unitAtIncident: null,
    });
  });

  it("refuses an unknown badge number with BAD_USER_INPUT on input.officerBadge, adding nothing", async () => {
    const { id } = await openCase(t);
    const before = await everythingAbout(db(), id);
    const result = await investigator.op("AddAllegation", {
      input: { complaintId: id, officerBadge: "NOBODY-000001", category: "FORCE" },
    });
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field: "input.officerBadge" });
    expect(await everythingAbout(db(), id)).toEqual(before);
  });

  it("identifies the officer of an allegation, recording their unit at the incident", async () => {
    const officer = await transferredOfficer();
    const { id, allegationIds } = await openCase(t);
    const result = ok(
      await investigator.op("IdentifyOfficer", {
        input: {
          allegationId: allegationIds[0],
          officerBadge: officer.badgeNumber,
          expectedVersion: 1,
        },
      }),
    );
    expect(result.identifyOfficer.allegation).toEqual({
      id: allegationIds[0],
      officer: { badgeNumber: officer.badgeNumber },
      unitAtIncident: { code: oldDistrict },
    });
    const file = await caseFile(investigator, id);
    expect(file.version).toBe(2);
    expect(file.timeline.at(-1)).toMatchObject({
      kind: "OFFICER_IDENTIFIED",
      note: `Officer ${officer.badgeNumber} identified`,
    });
    expect(
      ok(
        await investigator.op("CaseQueue", { filter: { officerBadge: officer.badgeNumber } }),
      ).complaints.edges.map((e: { node: { id: string } }) => e.node.id),
    ).toEqual([id]);
  });

  it("does not change the officer once a finding has been recommended", async () => {
    const [first, second] = [await createOfficer(admin), await createOfficer(admin)];
    const { file } = await caseIn(t, "UNDER_INVESTIGATION", {
      officers: [{ badgeNumber: first.badgeNumber }],
    });
    const allegationId = file.allegations[0].id;
    ok(
      await investigator.op("RecordFinding", {
        input: { allegationId, finding: "NOT_SUSTAINED", rationale: "Alibi." },
      }),
    );
    const before = await everythingAbout(db(), file.id);
    expect(
      errorOf(
        await investigator.op("IdentifyOfficer", {
          input: { allegationId, officerBadge: second.badgeNumber },
        }),
      ),
    ).toEqual({ code: "INVALID_STATE" });
    expect(await everythingAbout(db(), file.id)).toEqual(before);
  });

  it("refuses an unknown badge when identifying, and an unknown allegation", async () => {
    const { id, allegationIds } = await openCase(t);
    const before = await everythingAbout(db(), id);
    expect(
      errorOf(
        await investigator.op("IdentifyOfficer", {
          input: { allegationId: allegationIds[0], officerBadge: "NOBODY-000002" },
        }),
      ),
    ).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.officerBadge",
    });
    expect(await everythingAbout(db(), id)).toEqual(before);
    const officer = await createOfficer(admin);
    expect(
      errorOf(
        await investigator.op("IdentifyOfficer", {
          input: {
            allegationId: "9e8d7c6b-5a49-4382-9170-6f5e4d3c2b1a",
            officerBadge: officer.badgeNumber,
          },
        }),
      ),
    ).toEqual({ code: "NOT_FOUND" });
  });
});

describe("extendResponseDeadline", () => {
  const extend = (
    file: { id: string; version: number },
    until: Date,
    reason = "Awaiting forensic report.",
  ) =>
    investigator.op("ExtendResponseDeadline", {
      input: {
        complaintId: file.id,
        expectedVersion: file.version,
        until: until.toISOString(),
        reason,
      },
    });

  it("extends the deadline once, with the reason kept inside and the new date on the public timeline", async () => {
    const { file, receipt } = await caseIn(t, "UNDER_INVESTIGATION", { language: "EN" });
    const until = daysFromNow(40);
    const result = ok(await extend(file, until));
    expect(result.extendResponseDeadline.complaint).toEqual({
      id: file.id,
      version: file.version + 1,
      responseDueAt: file.responseDueAt,
      extendedTo: until.toISOString(),
    });

    const after = await caseFile(investigator, file.id);
    expect(after.timeline.at(-1)).toMatchObject({
      kind: "DEADLINE_EXTENDED",
      note: "Awaiting forensic report.",
      publicMessage: expect.stringMatching(
        /^The time for handling your complaint has been extended to /,
      ),
      actor: { id: investigator.principalId },
    });
    const view = await publicView(receipt);
    expect(view.responseDueAt).toBe(until.toISOString());
    expect(view.updates.at(-1)?.message).toBe(after.timeline.at(-1)?.publicMessage);
    expect(JSON.stringify(view)).not.toContain("forensic");
  });

  it("refuses a second extension with INVALID_STATE", async () => {
    const { file } = await caseIn(t, "ASSIGNED");
    ok(await extend(file, daysFromNow(30)));
    const extended = await caseFile(investigator, file.id);
    const before = await everythingAbout(db(), file.id);
    expect(errorOf(await extend(extended, daysFromNow(35)))).toEqual({ code: "INVALID_STATE" });
    expect(await everythingAbout(db(), file.id)).toEqual(before);
  });

  it("extends up to exactly 2 calendar months after registration, and not a millisecond more", async () => {
    const first = await caseIn(t, "ASSIGNED");
    const limit = addMonths(new Date(first.receipt.registeredAt), 2);
    const before = await everythingAbout(db(), first.id);
    expect(errorOf(await extend(first.file, new Date(limit.getTime() + 1)))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.until",
    });
    expect(await everythingAbout(db(), first.id)).toEqual(before);
    expect(ok(await extend(first.file, limit)).extendResponseDeadline.complaint.extendedTo).toBe(
      limit.toISOString(),
    );
  });

  it("refuses a date that is not later than the current deadline", async () => {
    const { file } = await caseIn(t, "ASSIGNED");
    const due = new Date(file.responseDueAt);
    for (const until of [due, new Date(due.getTime() - DAY)]) {
      expect(errorOf(await extend(file, until))).toEqual({
        code: "BAD_USER_INPUT",
        field: "input.until",
      });
    }
    expect((await complaintRow(db(), file.id)).extendedTo).toBeNull();
  });

  it("needs a reason", async () => {
    const { file } = await caseIn(t, "ASSIGNED");
    expect(errorOf(await extend(file, daysFromNow(30), ""))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.reason",
    });
  });

  it("computes overdue from the deadline in force: past the original but within the extension is not overdue", async () => {
    const { file } = await caseIn(t, "UNDER_INVESTIGATION");
    await setDeadline(db(), file.id, { responseDueAt: daysFromNow(-1) });
    expect((await caseFile(investigator, file.id)).overdue).toBe(true);

    ok(await extend(file, daysFromNow(20)));
    expect((await caseFile(investigator, file.id)).overdue).toBe(false);

    await setDeadline(db(), file.id, { extendedTo: daysFromNow(-0.5) });
    expect((await caseFile(investigator, file.id)).overdue).toBe(true);
  });

  it("never counts a closed complaint as overdue", async () => {
    const { file } = await caseIn(t, "CLOSED");
    await setDeadline(db(), file.id, { responseDueAt: daysFromNow(-3) });
    expect((await caseFile(investigator, file.id)).overdue).toBe(false);
  });
});

describe("addCaseNote", () => {
  it("adds an internal note the complainant never sees", async () => {
    const { id, receipt } = await openCase(t);
    const before = await publicView(receipt);
    const result = ok(
      await investigator.op("AddCaseNote", {
        input: { complaintId: id, note: "Called the witness.", publicMessage: null },
      }),
    );
    expect(result.addCaseNote.complaint).toEqual({ id, version: 2 });
    expect((await caseFile(investigator, id)).timeline.at(-1)).toMatchObject({
      kind: "NOTE",
      note: "Called the witness.",
      publicMessage: null,
      actor: { id: investigator.principalId },
    });
    expect(await publicView(receipt)).toEqual(before);
  });

  it("puts its public message on the complainant's timeline", async () => {
    const { id, receipt } = await openCase(t);
    ok(
      await investigator.op("AddCaseNote", {
        input: {
          complaintId: id,
          note: "Asked for CCTV.",
          publicMessage: "We have asked for the CCTV footage.",
          expectedVersion: 1,
        },
      }),
    );
    const updates = (await publicView(receipt)).updates.map((u) => u.message);
    expect(updates.at(-1)).toBe("We have asked for the CCTV footage.");
    expect(updates.join("\n")).not.toContain("Asked for CCTV.");
  });

  it("still takes notes on a closed complaint, which stays closed", async () => {
    const { file } = await caseIn(t, "CLOSED");
    const result = ok(
      await investigator.op("AddCaseNote", {
        input: {
          complaintId: file.id,
          note: "Reply letter posted.",
          expectedVersion: file.version,
        },
      }),
    );
    expect(result.addCaseNote.complaint.version).toBe(file.version + 1);
    expect((await complaintRow(db(), file.id)).status).toBe("CLOSED");
  });

  it("answers NOT_FOUND for a complaint that does not exist", async () => {
    const input = { complaintId: "1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d", note: "Anyone?" };
    expect(errorOf(await investigator.op("AddCaseNote", { input }))).toEqual({ code: "NOT_FOUND" });
  });
});

describe("optimistic concurrency", () => {
  /** Every change that takes expectedVersion, set up so that it would succeed with the right version. */
  const CHANGES: Record<
    string,
    { from: Status; send: (file: CaseFileView, expectedVersion: number) => Promise<GraphQLResult> }
  > = {
    assignComplaint: {
      from: "REGISTERED",
      send: (f, v) => MOVES.assignComplaint({ ...f, version: v }),
    },
    startInvestigation: {
      from: "ASSIGNED",
      send: (f, v) => MOVES.startInvestigation({ ...f, version: v }),
    },
    submitForReview: {
      from: "UNDER_INVESTIGATION",
      send: (f, v) => MOVES.submitForReview({ ...f, version: v }),
    },
    closeComplaint: {
      from: "PENDING_REVIEW",
      send: (f, v) => MOVES.closeComplaint({ ...f, version: v }),
    },
    reopenComplaint: {
      from: "CLOSED",
      send: (f, v) => MOVES.reopenComplaint({ ...f, version: v }),
    },
    extendResponseDeadline: {
      from: "ASSIGNED",
      send: (f, v) =>
        supervisor.op("ExtendResponseDeadline", {
          input: {
            complaintId: f.id,
            expectedVersion: v,
            until: daysFromNow(30).toISOString(),
            reason: "Expert opinion.",
          },
        }),
    },
    addAllegation: {
      from: "REGISTERED",
      send: (f, v) =>
        supervisor.op("AddAllegation", {
          input: { complaintId: f.id, category: "FORCE", expectedVersion: v },
        }),
    },
    identifyOfficer: {
      from: "REGISTERED",
      send: async (f, v) => {
        const officer = await createOfficer(await t.as("ADMIN"));
        return supervisor.op("IdentifyOfficer", {
          input: {
            allegationId: f.allegations[0].id,
            officerBadge: officer.badgeNumber,
            expectedVersion: v,
          },
        });
      },
    },
    recordFinding: {
      from: "UNDER_INVESTIGATION",
      send: (f, v) =>
        supervisor.op("RecordFinding", {
          input: {
            allegationId: f.allegations[0].id,
            finding: "SUSTAINED",
            rationale: "Video.",
            expectedVersion: v,
          },
        }),
    },
    addCaseNote: {
      from: "REGISTERED",
      send: (f, v) =>
        supervisor.op("AddCaseNote", {
          input: { complaintId: f.id, note: "Late note.", expectedVersion: v },
        }),
    },
  };

  it.each(Object.keys(CHANGES))(
    "%s with a stale expectedVersion gives CONFLICT and changes nothing",
    async (change) => {
      let { file } = await caseIn(t, CHANGES[change].from);
      if (change === "closeComplaint") file = await decideEverything(file);
      // Someone else wrote a note since this caller read the file.
      ok(
        await investigator.op("AddCaseNote", {
          input: { complaintId: file.id, note: "Meanwhile." },
        }),
      );
      const before = await everythingAbout(db(), file.id);
      expect(errorOf(await CHANGES[change].send(file, file.version))).toEqual({ code: "CONFLICT" });
      expect(errorOf(await CHANGES[change].send(file, file.version + 2))).toEqual({
        code: "CONFLICT",
      });
      expect(await everythingAbout(db(), file.id)).toEqual(before);
      // With the version now in force it goes through.
      ok(await CHANGES[change].send(file, file.version + 1));
    },
  );

  const RACERS = 8;

  it(`lets exactly one of ${RACERS} simultaneous assignments with the same version through`, async () => {
    const { id } = await openCase(t);
    const assignees = await Promise.all(
      Array.from({ length: RACERS }, (_, i) => t.newCaller("INVESTIGATOR", `Racer ${i}`)),
    );
    const before = await everythingAbout(db(), id);

    const results = await Promise.all(
      assignees.map((a) =>
        supervisor.op("AssignComplaint", {
          input: { complaintId: id, assigneeId: a.principalId, expectedVersion: 1 },
        }),
      ),
    );

    const winners = results.flatMap((r, i) => (r.errors ? [] : [i]));
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.errors).map(errorOf)).toEqual(
      Array(RACERS - 1).fill({ code: "CONFLICT" }),
    );
    const after = await everythingAbout(db(), id);
    expect(after.row).toMatchObject({
      version: 2,
      status: "ASSIGNED",
      assigneeId: assignees[winners[0]].principalId,
    });
    expect(after.timeline.slice(before.timeline.length).map((e) => e.kind)).toEqual(["ASSIGNED"]);
    expect(after.audit.slice(before.audit.length).map((r) => [r.action, r.outcome])).toEqual([
      ["assignComplaint", "SUCCESS"],
    ]);
  });

  it(`lets exactly one of ${RACERS} simultaneous notes with the same version through`, async () => {
    const { file } = await caseIn(t, "UNDER_INVESTIGATION");
    const before = await everythingAbout(db(), file.id);

    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        investigator.op("AddCaseNote", {
          input: {
            complaintId: file.id,
            note: `Note ${i}`,
            publicMessage: `Update ${i}`,
            expectedVersion: file.version,
          },
        }),
      ),
    );

    const winners = results.flatMap((r, i) => (r.errors ? [] : [i]));
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.errors).map(errorOf)).toEqual(
      Array(RACERS - 1).fill({ code: "CONFLICT" }),
    );
    const after = await everythingAbout(db(), file.id);
    expect(after.row.version).toBe(file.version + 1);
    expect(
      after.timeline
        .slice(before.timeline.length)
        .map((e) => [
          e.kind,
          complaintKey(after.row).open("complaint_events", "note", e.id, e.noteSealed),
          e.publicMessage,
        ]),
    ).toEqual([["NOTE", `Note ${winners[0]}`, `Update ${winners[0]}`]]);
    expect(after.audit.slice(before.audit.length).map((r) => [r.action, r.outcome])).toEqual([
      ["addCaseNote", "SUCCESS"],
    ]);
  });

  it("lets only one of two findings on different allegations made against the same version through", async () => {
    const { file } = await caseIn(t, "PENDING_REVIEW", { categories: ["FORCE", "DISCOURTESY"] });
    const results = await Promise.all(
      file.allegations.map((a) =>
        supervisor.op("RecordFinding", {
          input: {
            allegationId: a.id,
            finding: "SUSTAINED",
            rationale: "Video.",
            expectedVersion: file.version,
          },
        }),
      ),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    expect(results.filter((r) => r.errors).map(errorOf)).toEqual([{ code: "CONFLICT" }]);
    const after = await caseFile(supervisor, file.id);
    expect(after.version).toBe(file.version + 1);
    expect(after.allegations.filter((a) => a.finding === "SUSTAINED")).toHaveLength(1);
  });

  it("loses no change when simultaneous notes carry no expectedVersion", async () => {
    const { id } = await openCase(t);
    const results = await Promise.all(
      Array.from({ length: RACERS }, (_, i) =>
        investigator.op("AddCaseNote", { input: { complaintId: id, note: `Note ${i}` } }),
      ),
    );
    results.forEach((r) => ok(r));
    expect(results.map((r) => r.data.addCaseNote.complaint.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: RACERS }, (_, i) => i + 2),
    );
    const after = await everythingAbout(db(), id);
    expect(after.row.version).toBe(1 + RACERS);
    expect(after.timeline.filter((e) => e.kind === "NOTE")).toHaveLength(RACERS);
    expect(after.audit.filter((r) => r.action === "addCaseNote")).toHaveLength(RACERS);
  });
});

describe("the case file", () => {
  it("is read in as many SQL statements with 10 allegations and 4 hands as with 1 of each", async () => {
    const admin = await t.as("ADMIN");
    const officers = await Promise.all(Array.from({ length: 5 }, () => createOfficer(admin)));
    const colleagues = await Promise.all(
      [1, 2, 3, 4].map((i) => t.newCaller("INVESTIGATOR", `Colleague ${i}`)),
    );
    const named = (count: number) =>
      officers.slice(0, count).map((o) => ({ badgeNumber: o.badgeNumber }));
    const small = await openCase(t, { categories: ["FORCE"], officers: named(1) });
    const large = await openCase(t, { categories: ["FORCE", "DISCOURTESY"], officers: named(5) });
    const note = (who: Caller, id: string) =>
      who.op("AddCaseNote", { input: { complaintId: id, note: "Called the witness." } });
    ok(await note(colleagues[0], small.id));
    for (const colleague of colleagues) ok(await note(colleague, large.id));

    const one = await statementsDuring(t, () => caseFile(investigator, small.id));
    const ten = await statementsDuring(t, () => caseFile(investigator, large.id));

    expect(one.result.allegations).toHaveLength(1);
    expect(ten.result.allegations).toHaveLength(10);
    for (const { result } of [one, ten]) {
      expect(result.allegations.every((a) => a.officer && a.unitAtIncident)).toBe(true);
    }
    expect(ten.result.timeline.filter((e) => e.actor)).toHaveLength(4);
    // The token, the complaint, then one batch each for allegations, timeline, officers, units and actors,
    // and the READ_PERSONAL_DATA record (the chain's head, then the insert).
    expect({ one: one.statements, ten: ten.statements }).toEqual({ one: 9, ten: 9 });
    expect(ten.texts).toEqual(one.texts);
  });

  it("holds the allegations, oldest first, and the timeline with who did what", async () => {
    const officer = await createOfficer(await t.as("ADMIN"), { fullName: "Aset Nurmagambetov" });
    const { id, receipt } = await openCase(t, {
      officers: [{ badgeNumber: officer.badgeNumber }],
      categories: ["FORCE"],
      language: "EN",
    });
    ok(
      await investigator.op("AddAllegation", {
        input: { complaintId: id, category: "DISCOURTESY" },
      }),
    );
    const file = await caseFile(investigator, id);
    expect(file).toMatchObject({
      id,
      trackingNumber: receipt.trackingNumber,
      status: "REGISTERED",
      language: "EN",
      registeredAt: receipt.registeredAt,
      responseDueAt: receipt.responseDueAt,
      extendedTo: null,
      closedAt: null,
      overdue: false,
      narrative: "The officer refused to register my report of domestic violence.",
      complainant: {
        fullName: "Aigerim Sadykova",
        email: "a.sadykova@example.kz",
        phone: "+77010000000",
        type: "VICTIM",
      },
      assignee: null,
    });
    expect(
      file.allegations.map((a) => [
        a.category,
        a.officer?.fullName ?? null,
        a.unitAtIncident?.code ?? null,
      ]),
    ).toEqual([
      ["FORCE", "Aset Nurmagambetov", "KZ-AST"],
      ["DISCOURTESY", null, null],
    ]);
    expect(file.timeline.map((e) => [e.kind, e.actor?.id ?? null])).toEqual([
      ["REGISTERED", null],
      ["ALLEGATION_ADDED", investigator.principalId],
    ]);
    expect(file.timeline[0].publicMessage).toContain(receipt.trackingNumber);
  });

  it.each(["00000000-0000-4000-8000-000000000000", "not-a-uuid"])(
    "answers NOT_FOUND for complaint(id: %j)",
    async (id) => {
      const result = await investigator.query("query($id: ID!) { complaint(id: $id) { id } }", {
        id,
      });
      expect(errorOf(result)).toEqual({ code: "NOT_FOUND" });
    },
  );
});

describe("transactions and the audit trail", () => {
  it("writes one audit record per change, in the same order as the timeline, naming who made it", async () => {
    const { file } = await caseIn(t, "PENDING_REVIEW");
    const decided = await decideEverything(file);
    ok(await MOVES.closeComplaint(decided));
    const { timeline, audit: records } = await everythingAbout(db(), file.id);
    // The case file was read along the way; those records are the access log's (test/integrity.test.ts).
    const audit = records.filter((r) => r.action !== "READ_PERSONAL_DATA");
    expect(audit.map((r) => [r.action, r.entity, r.outcome])).toEqual([
      ["submitComplaint", "Complaint", "SUCCESS"],
      ["assignComplaint", "Complaint", "SUCCESS"],
      ["startInvestigation", "Complaint", "SUCCESS"],
      ["submitForReview", "Complaint", "SUCCESS"],
      ["recordFinding", "Complaint", "SUCCESS"],
      ["closeComplaint", "Complaint", "SUCCESS"],
    ]);
    expect(
      audit
        .slice(1)
        .every((r) => r.principalId === supervisor.principalId && r.principalRole === "SUPERVISOR"),
    ).toBe(true);
    expect(timeline.map((e) => e.kind)).toEqual([
      "REGISTERED",
      "ASSIGNED",
      "INVESTIGATION_STARTED",
      "SUBMITTED_FOR_REVIEW",
      "FINDING_RECORDED",
      "CLOSED",
    ]);
  });

  it("rolls a refused change back whole: no version, no timeline entry, no audit record", async () => {
    const { file } = await caseIn(t, "UNDER_INVESTIGATION");
    const before = await everythingAbout(db(), file.id);
    const refusals = [
      await MOVES.startInvestigation(file),
      await MOVES.closeComplaint(file),
      await MOVES.reopenComplaint(file),
      await MOVES.submitForReview({ ...file, version: file.version - 1 }),
      await supervisor.op("AddAllegation", {
        input: { complaintId: file.id, officerBadge: "NOBODY-000003", category: "FORCE" },
      }),
    ];
    expect(refusals.map((r) => errorOf(r).code)).toEqual([
      "INVALID_STATE",
      "INVALID_STATE",
      "INVALID_STATE",
      "CONFLICT",
      "BAD_USER_INPUT",
    ]);
    expect(await everythingAbout(db(), file.id)).toEqual(before);
  });
});

describe("eraseComplainantData", () => {
  it("destroys the complainant's name, contacts and narrative for good, leaving the case as it was", async () => {
    const { file } = await caseIn(t, "UNDER_INVESTIGATION");
    const input = { complaintId: file.id, reason: "Complainant request under personal-data law." };

    const result = ok(await supervisor.op("EraseComplainantData", { input }));

    expect(result.eraseComplainantData.complaint).toEqual({
      id: file.id,
      complainant: { fullName: null },
    });
    const after = await caseFile(supervisor, file.id);
    expect(after).toMatchObject({
      status: "UNDER_INVESTIGATION",
      version: file.version + 1,
      narrative: null,
      incidentPlace: null,
      complainant: { fullName: null, email: null, phone: null, type: "VICTIM" },
      // The allegations stay; the complainant's descriptions of officers go with the rest.
      allegations: file.allegations.map((a) => ({
        ...a,
        description: null,
      })),
    });
    expect(after.timeline.at(-1)).toMatchObject({
      kind: "COMPLAINANT_DATA_ERASED",
      note: input.reason,
      publicMessage: null,
    });
    expect(await complaintRow(db(), file.id)).toMatchObject({
      complainantNameSealed: null,
      complainantEmailSealed: null,
      complainantPhoneSealed: null,
      narrativeSealed: null,
      incidentPlaceSealed: null,
      complainantErasedAt: expect.any(Date),
    });

    const before = await everythingAbout(db(), file.id);
    expect(errorOf(await supervisor.op("EraseComplainantData", { input }))).toEqual({
      code: "INVALID_STATE",
    });
    expect(await everythingAbout(db(), file.id)).toEqual(before);
  });
});
