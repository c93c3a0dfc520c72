import { ROLES, type Role } from "../src/db/schema";
import {
  auditRowsOfRequest,
  tracedCaller,
  type TracedCaller,
  type TracedResult,
} from "./helpers/audit";
import { createOfficer } from "./helpers/factories";
import {
  caseFile,
  caseIn,
  everythingAbout,
  openCase,
  type CaseFileView,
  type Status,
} from "./helpers/cases";
import { ok, startTestServer, type Caller, type TestServer } from "./helpers/server";

let t: TestServer;
let supervisor: Caller;
beforeAll(async () => {
  t = await startTestServer();
  supervisor = await t.as("SUPERVISOR");
});
afterAll(() => t.close());

type Who = Role | "NO_TOKEN";
const EVERYONE: Who[] = [...ROLES, "NO_TOKEN"];
const CASEWORK: Who[] = ["INVESTIGATOR", "SUPERVISOR"];

/** The complaint an operation is tried on, freshly prepared for each caller. */
interface Fixture {
  id: string;
  version: number;
  allegationIds: string[];
  trackingNumber: string;
}

interface Operation {
  allowed: Who[];
  kind: "query" | "mutation";
  prepare: () => Promise<Fixture>;
  send: (caller: TracedCaller, fixture: Fixture) => Promise<TracedResult>;
}

/** A complaint in this state (after `work`, done by a supervisor), as the operation expects to find it. */
const fixture =
  (status: Status, work?: (file: CaseFileView) => Promise<void>) => async (): Promise<Fixture> => {
    const { id, receipt } = await caseIn(t, status);
    if (work) await work(await caseFile(supervisor, id));
    const file = await caseFile(supervisor, id);
    return {
      id,
      version: file.version,
      allegationIds: file.allegations.map((a) => a.id),
      trackingNumber: receipt.trackingNumber,
    };
  };

const OPERATIONS: Record<string, Operation> = {
  complaints: {
    kind: "query",
    allowed: ["INVESTIGATOR", "SUPERVISOR", "AUDITOR"],
    prepare: fixture("REGISTERED"),
    send: (c, f) => c.op("CaseQueue", { filter: { trackingNumber: f.trackingNumber } }),
  },
  complaint: {
    kind: "query",
    allowed: ["INVESTIGATOR", "SUPERVISOR", "AUDITOR"],
    prepare: fixture("ASSIGNED"),
    send: (c, f) =>
      c.query(
        "query($id: ID!) { complaint(id: $id) { id status allegations { id category officer { badgeNumber } } timeline { kind note } } }",
        { id: f.id },
      ),
  },
  assignComplaint: {
    kind: "mutation",
    allowed: CASEWORK,
    prepare: fixture("REGISTERED"),
    send: async (c, f) =>
      c.op("AssignComplaint", {
        input: {
          complaintId: f.id,
          assigneeId: (await t.as("INVESTIGATOR")).principalId,
          expectedVersion: f.version,
        },
      }),
  },
  startInvestigation: {
    kind: "mutation",
    allowed: CASEWORK,
    prepare: fixture("ASSIGNED"),
    send: (c, f) =>
      c.op("StartInvestigation", { input: { complaintId: f.id, expectedVersion: f.version } }),
  },
  addAllegation: {
    kind: "mutation",
    allowed: CASEWORK,
    prepare: fixture("REGISTERED"),
    send: (c, f) =>
      c.op("AddAllegation", {
        input: {
          complaintId: f.id,
          category: "DISCOURTESY",
          description: "Shouted at the complainant.",
        },
      }),
  },
  identifyOfficer: {
    kind: "mutation",
    allowed: CASEWORK,
    prepare: fixture("REGISTERED"),
    send: async (c, f) =>
      c.op("IdentifyOfficer", {
        input: {
          allegationId: f.allegationIds[0],
          officerBadge: (await createOfficer(await t.as("ADMIN"))).badgeNumber,
        },
      }),
  },
  recordFinding: {
    kind: "mutation",
    allowed: CASEWORK,
    prepare: fixture("UNDER_INVESTIGATION"),
    send: (c, f) =>
      c.op("RecordFinding", {
        input: {
          allegationId: f.allegationIds[0],
          finding: "SUSTAINED",
          rationale: "Video confirms the account.",
        },
      }),
  },
  extendResponseDeadline: {
    kind: "mutation",
    allowed: CASEWORK,
    prepare: fixture("ASSIGNED"),
    send: (c, f) =>
      c.op("ExtendResponseDeadline", {
        input: {
          complaintId: f.id,
          expectedVersion: f.version,
          until: new Date(Date.now() + 40 * 86_400_000).toISOString(),
          reason: "Awaiting forensic report.",
        },
      }),
  },
  addCaseNote: {
    kind: "mutation",
    allowed: CASEWORK,
    prepare: fixture("REGISTERED"),
    send: (c, f) =>
      c.op("AddCaseNote", {
        input: { complaintId: f.id, note: "Called the witness.", publicMessage: null },
      }),
  },
  submitForReview: {
    kind: "mutation",
    allowed: CASEWORK,
    prepare: fixture("UNDER_INVESTIGATION"),
    send: (c, f) =>
      c.op("SubmitForReview", { input: { complaintId: f.id, expectedVersion: f.version } }),
  },
  closeComplaint: {
    kind: "mutation",
    allowed: CASEWORK,
    prepare: fixture("ASSIGNED", async (file) => {
      for (const a of file.allegations)
        ok(
          await supervisor.op("RecordFinding", {
            input: { allegationId: a.id, closureReason: "WITHDRAWN", rationale: "Withdrawn." },
          }),
        );
    }),
    send: (c, f) =>
      c.op("CloseComplaint", {
        input: {
          complaintId: f.id,
          expectedVersion: f.version,
          publicMessage: "Closed at your request.",
        },
      }),
  },
  reopenComplaint: {
    kind: "mutation",
    allowed: ["SUPERVISOR"],
    prepare: fixture("CLOSED"),
    send: (c, f) =>
      c.op("ReopenComplaint", { input: { complaintId: f.id, expectedVersion: f.version } }),
  },
  eraseComplainantData: {
    kind: "mutation",
    allowed: ["SUPERVISOR"],
    prepare: fixture("REGISTERED"),
    send: (c, f) =>
      c.op("EraseComplainantData", {
        input: { complaintId: f.id, reason: "Complainant request under personal-data law." },
      }),
  },
};

const CASES = Object.entries(OPERATIONS).flatMap(([field, { allowed }]) =>
  EVERYONE.map(
    (who) =>
      [
        field,
        who,
        allowed.includes(who) ? "allowed" : who === "NO_TOKEN" ? "UNAUTHENTICATED" : "FORBIDDEN",
      ] as const,
  ),
);

describe("who may work complaints", () => {
  it.each(CASES)("%s called by %s: %s", async (field, who, expected) => {
    const operation = OPERATIONS[field];
    const caller = tracedCaller(t.url, who === "NO_TOKEN" ? t.public : await t.as(who));
    const f = await operation.prepare();
    const before = await everythingAbout(t.database.db, f.id);

    const result = await operation.send(caller, f);

    const audited = await auditRowsOfRequest(t.database.db, result.requestId);
    if (expected === "allowed") {
      expect(result.errors ?? []).toEqual([]);
      expect(result.data?.[field]).toBeTruthy();
      if (operation.kind === "query") expect(audited).toEqual([]);
      else
        expect(audited.map((r) => [r.action, r.outcome, r.principalId, r.entityId])).toEqual([
          [field, "SUCCESS", caller.principalId, f.id],
        ]);
      return;
    }
    expect(result.errors?.map((e) => e.extensions.code)).toEqual([expected]);
    expect(result.errors?.[0].path).toEqual([field]);
    expect(result.data ?? null).toBeNull();
    // Refused attempts are on record, and nothing about the complaint moved.
    expect(audited.map((r) => [r.action, r.outcome, r.principalId, r.principalRole])).toEqual([
      [field, "DENIED", caller.principalId, who === "NO_TOKEN" ? null : who],
    ]);
    expect(await everythingAbout(t.database.db, f.id)).toEqual(before);
  });
});

describe("complainant data", () => {
  const SENSITIVE =
    "query($id: ID!) { complaint(id: $id) { id status narrative complainant { fullName email phone type } allegations { category } timeline { kind } } }";

  it.each(CASEWORK)("shows the narrative and the complainant to %s", async (who) => {
    const { id } = await openCase(t);
    const { complaint } = ok(await (await t.as(who as Role)).query(SENSITIVE, { id }));
    expect(complaint).toMatchObject({
      narrative: "The officer refused to register my report of domestic violence.",
      complainant: {
        fullName: "Aigerim Sadykova",
        email: "a.sadykova@example.kz",
        phone: "+77010000000",
        type: "VICTIM",
      },
    });
  });

  it("lets an AUDITOR read the case file but not the narrative or the complainant, and records both refusals in one record", async () => {
    const { id } = await openCase(t);
    const auditor = tracedCaller(t.url, await t.newCaller("AUDITOR"));
    const result = await auditor.query(SENSITIVE, { id });

    expect(result.data?.complaint).toEqual({
      id,
      status: "REGISTERED",
      narrative: null,
      complainant: null,
      allegations: [{ category: "DOMESTIC_VIOLENCE_HANDLING" }],
      timeline: [{ kind: "REGISTERED" }],
    });
    expect(result.errors?.map((e) => [e.extensions.code, e.path]).sort()).toEqual([
      ["FORBIDDEN", ["complaint", "complainant"]],
      ["FORBIDDEN", ["complaint", "narrative"]],
    ]);
    expect(JSON.stringify(result)).not.toContain("Aigerim");
    expect(JSON.stringify(result)).not.toContain("domestic violence");
    const audited = await auditRowsOfRequest(t.database.db, result.requestId);
    // One record for the request, naming both refusals.
    expect(audited.map((r) => [r.action, r.outcome, r.principalId])).toEqual([
      ["Complaint.complainant,Complaint.narrative", "DENIED", auditor.principalId],
    ]);
  });

  it("lets an AUDITOR work through the contract's CaseQueue, which holds no complainant data", async () => {
    const { receipt } = await openCase(t);
    const result = ok(
      await (
        await t.as("AUDITOR")
      ).op("CaseQueue", { filter: { trackingNumber: receipt.trackingNumber } }),
    );
    expect(result.complaints.totalCount).toBe(1);
  });

  it("keeps the complainant from an AUDITOR on every row of a queue page", async () => {
    const first = await openCase(t);
    const second = await openCase(t);
    const auditor = await t.as("AUDITOR");
    const page = async (trackingNumber: string) =>
      auditor.query(
        "query($n: String) { complaints(filter: { trackingNumber: $n }) { edges { node { id complainant { fullName } } } } }",
        { n: trackingNumber },
      );
    for (const c of [first, second]) {
      const result = await page(c.receipt.trackingNumber);
      expect(result.data?.complaints.edges).toEqual([{ node: { id: c.id, complainant: null } }]);
      expect(result.errors?.map((e) => [e.extensions.code, e.path])).toEqual([
        ["FORBIDDEN", ["complaints", "edges", 0, "node", "complainant"]],
      ]);
    }
  });

  it.each(["HR", "ANALYST", "ADMIN"] as Role[])(
    "gives %s no way into complaint contents, not even through the queue",
    async (role) => {
      const { id, receipt } = await openCase(t);
      const caller = await t.as(role);
      const file = await caller.query(SENSITIVE, { id });
      expect(file.errors?.map((e) => e.extensions.code)).toEqual(["FORBIDDEN"]);
      expect(file.data ?? null).toBeNull();
      const queue = await caller.op("CaseQueue", {
        filter: { trackingNumber: receipt.trackingNumber },
      });
      expect(queue.errors?.map((e) => e.extensions.code)).toEqual(["FORBIDDEN"]);
      expect(JSON.stringify([file, queue])).not.toContain(receipt.trackingNumber);
    },
  );

  it("shows no complainant on an anonymous complaint", async () => {
    const { id } = await openCase(t, { complainant: null });
    const { complaint } = ok(await (await t.as("INVESTIGATOR")).query(SENSITIVE, { id }));
    expect(complaint).toMatchObject({ complainant: null, narrative: expect.any(String) });
  });
});
