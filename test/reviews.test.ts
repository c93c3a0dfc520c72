import { randomUUID } from "node:crypto";
import { errorOf, ok, startTestServer, type TestServer } from "./helpers/server";
import {
  complaintAgainst,
  decisionInput,
  move,
  moved,
  newOfficer,
  openReview,
  reviewAudit,
  reviewIn,
  reviewRow,
  standingOf,
  sustainedAllegation,
  type Move,
  type ReviewStatus,
  type ReviewView,
} from "./helpers/reviews";
import { daysFromToday } from "./helpers/officers";

let t: TestServer;
beforeAll(async () => (t = await startTestServer()));
afterAll(() => t.close());

const supervisor = () => t.as("SUPERVISOR");
const countReviews = async (badgeNumber: string) =>
  ok(await (await t.as("INVESTIGATOR")).op("OfficerProfile", { badgeNumber })).officer.reviews
    .length as number;

describe("opening a review", () => {
  it("opens against one officer for their own sustained allegations, listed on the case file and the profile", async () => {
    const officer = await newOfficer(t);
    const { complaintId, allegationId } = await sustainedAllegation(t, officer.badgeNumber);
    const review = await openReview(
      t,
      officer.badgeNumber,
      [allegationId],
      "Sustained use of force.",
    );
    expect(review).toMatchObject({
      version: 1,
      status: "OPEN",
      officer: { badgeNumber: officer.badgeNumber },
      allegations: [{ id: allegationId }],
    });

    expect(
      ok(await (await supervisor()).op("CaseFile", { id: complaintId })).complaint.reviews,
    ).toEqual([{ id: review.id, status: "OPEN" }]);
    const profile = ok(
      await (await t.as("INVESTIGATOR")).op("OfficerProfile", { badgeNumber: officer.badgeNumber }),
    ).officer;
    expect(profile.reviews).toEqual([{ id: review.id, status: "OPEN", decision: null }]);
    expect((await reviewRow(t, review.id)).summary).toBe("Sustained use of force.");
  });

  it("opens on internal grounds with a summary and no allegations", async () => {
    const officer = await newOfficer(t);
    const review = await openReview(t, officer.badgeNumber, []);
    expect(review).toMatchObject({ status: "OPEN", version: 1, allegations: [] });
  });

  it("refuses allegations that are not sustained with INVALID_STATE, and stores nothing", async () => {
    const officer = await newOfficer(t);
    const open = await complaintAgainst(t, officer.badgeNumber, ["FORCE"]);
    const sup = await supervisor();
    const r = await sup.op("OpenDisciplinaryReview", {
      input: {
        officerBadge: officer.badgeNumber,
        allegationIds: [open.allegationIds[0]],
        summary: "s",
      },
    });
    expect(errorOf(r).code).toBe("INVALID_STATE");

    const { allegationId } = await sustainedAllegation(t, officer.badgeNumber);
    ok(
      await sup.op("RecordFinding", {
        input: { allegationId, finding: "NOT_SUSTAINED", rationale: "On second look." },
      }),
    );
    const again = await sup.op("OpenDisciplinaryReview", {
      input: { officerBadge: officer.badgeNumber, allegationIds: [allegationId], summary: "s" },
    });
    expect(errorOf(again).code).toBe("INVALID_STATE");
    expect(await countReviews(officer.badgeNumber)).toBe(0);
  });

  it("refuses another officer's allegation, unknown ids, repeats, unknown badges and blank summaries with BAD_USER_INPUT", async () => {
    const [officer, other] = await Promise.all([newOfficer(t), newOfficer(t)]);
    const [mine, theirs] = await Promise.all([
      sustainedAllegation(t, officer.badgeNumber),
      sustainedAllegation(t, other.badgeNumber),
    ]);
    const sup = await supervisor();
    const open = (input: Record<string, unknown>) =>
      sup.op("OpenDisciplinaryReview", {
        input: {
          officerBadge: officer.badgeNumber,
          allegationIds: [mine.allegationId],
          summary: "Force.",
          ...input,
        },
      });

    expect(
      errorOf(await open({ allegationIds: [mine.allegationId, theirs.allegationId] })),
    ).toEqual({ code: "BAD_USER_INPUT", field: "input.allegationIds.1" });
    expect(errorOf(await open({ allegationIds: [randomUUID()] }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.allegationIds.0",
    });
    expect(
      errorOf(await open({ allegationIds: [mine.allegationId, mine.allegationId] })).code,
    ).toBe("BAD_USER_INPUT");
    expect(errorOf(await open({ allegationIds: ["not-an-id"] })).code).toBe("BAD_USER_INPUT");
    expect(errorOf(await open({ officerBadge: "ZZ-000000" })).code).toBe("BAD_USER_INPUT");
    expect(errorOf(await open({ summary: "   " })).code).toBe("BAD_USER_INPUT");
    expect(errorOf(await open({ summary: "" })).code).toBe("BAD_USER_INPUT");
    expect(await countReviews(officer.badgeNumber)).toBe(0);
    expect(await countReviews(other.badgeNumber)).toBe(0);
  });
});

describe("the review's road", () => {
  it("goes OPEN → HEARING_SCHEDULED → DECIDED → APPEALED → APPEAL_DECIDED → FINAL, bumping the version each time", async () => {
    const officer = await newOfficer(t);
    let review: ReviewView = await openReview(t, officer.badgeNumber);
    const hearingAt = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const scheduled = ok(await move(t, review, "schedule", { hearingAt })).scheduleHearing.review;
    expect(scheduled).toMatchObject({ status: "HEARING_SCHEDULED", version: 2, hearingAt });
    const input = decisionInput(scheduled, {
      penalty: "SEVERE_REPRIMAND",
      aggravatingFactors: ["prior reprimand"],
      mitigatingFactors: ["confession"],
    });
    const decided = ok(await (await supervisor()).op("DecideDisciplinaryReview", { input }))
      .decideDisciplinaryReview.review;
    expect(decided).toMatchObject({
      status: "DECIDED",
      version: 3,
      decision: {
        penalty: "SEVERE_REPRIMAND",
        effectiveFrom: input.effectiveFrom,
        effectiveUntil: input.effectiveUntil,
        rationale: input.rationale,
        aggravatingFactors: ["prior reprimand"],
        mitigatingFactors: ["confession"],
      },
    });
    expect(Date.parse(decided.decision.decidedAt)).not.toBeNaN();
    review = await moved(t, decided, "appeal");
    expect(review).toMatchObject({ status: "APPEALED", version: 4 });
    review = await moved(t, review, "decideAppeal", { outcome: "UPHELD" });
    expect(review).toMatchObject({
      status: "APPEAL_DECIDED",
      version: 5,
      decision: { penalty: "SEVERE_REPRIMAND", overturned: false },
    });
    review = await moved(t, review, "finalize");
    expect(review).toMatchObject({ status: "FINAL", version: 6 });
    expect((await reviewAudit(t, review.id)).map((a) => a.action)).toEqual([
      "openDisciplinaryReview",
      "scheduleHearing",
      "decideDisciplinaryReview",
      "appealDisciplinaryReview",
      "decideAppeal",
      "finalizeReview",
    ]);
  });

  it("skips the optional hearing and appeal: OPEN → DECIDED → FINAL", async () => {
    const { review } = await reviewIn(t, "DECIDED");
    expect(await moved(t, review, "finalize")).toMatchObject({ status: "FINAL", version: 3 });
  });

  it("lets a hearing be rescheduled", async () => {
    const { review } = await reviewIn(t, "HEARING_SCHEDULED");
    const hearingAt = new Date(Date.now() + 10 * 86_400_000).toISOString();
    expect(
      ok(await move(t, review, "schedule", { hearingAt })).scheduleHearing.review,
    ).toMatchObject({ status: "HEARING_SCHEDULED", version: 3, hearingAt });
  });

  const allowed: Record<ReviewStatus, Move[]> = {
    OPEN: ["schedule", "decide"],
    HEARING_SCHEDULED: ["schedule", "decide"],
    DECIDED: ["appeal", "finalize"],
    APPEALED: ["decideAppeal"],
    APPEAL_DECIDED: ["finalize"],
    FINAL: [],
  };
  const moves: Move[] = ["schedule", "decide", "appeal", "decideAppeal", "finalize"];
  const forbiddenMoves = (Object.keys(allowed) as ReviewStatus[]).flatMap((status) =>
    moves.filter((m) => !allowed[status].includes(m)).map((m) => [status, m] as const),
  );

  it.each(forbiddenMoves)(
    "refuses from %s the move %s with INVALID_STATE and changes nothing",
    async (status, name) => {
      const { review } = await reviewIn(t, status);
      const before = await reviewRow(t, review.id);
      expect(errorOf(await move(t, review, name)).code).toBe("INVALID_STATE");
      expect(await reviewRow(t, review.id)).toEqual(before);
    },
  );

  it("gives CONFLICT for a stale expectedVersion and changes nothing, whatever the move", async () => {
    const { review } = await reviewIn(t, "DECIDED");
    const before = await reviewRow(t, review.id);
    const audited = (await reviewAudit(t, review.id)).length;
    for (const name of ["appeal", "finalize"] as Move[]) {
      expect(errorOf(await move(t, { ...review, version: review.version - 1 }, name)).code).toBe(
        "CONFLICT",
      );
      expect(errorOf(await move(t, { ...review, version: review.version + 1 }, name)).code).toBe(
        "CONFLICT",
      );
    }
    expect(await reviewRow(t, review.id)).toEqual(before);
    expect(await reviewAudit(t, review.id)).toHaveLength(audited);
  });

  it("lets exactly one of two racing decisions win; the other gets CONFLICT", async () => {
    const { review } = await reviewIn(t, "OPEN");
    const results = await Promise.all([
      move(t, review, "decide", { penalty: "REMARK" }),
      move(t, review, "decide", { penalty: "DISMISSAL" }),
    ]);
    const codes = results.map((r) => (r.errors ? errorOf(r).code : "OK")).sort();
    expect(codes).toEqual(["CONFLICT", "OK"]);
    const winner = results.find((r) => !r.errors)!.data!.decideDisciplinaryReview.review;
    expect((await reviewRow(t, review.id)).penalty).toBe(winner.decision.penalty);
    expect((await reviewRow(t, review.id)).version).toBe(2);
  });

  it("gives NOT_FOUND for an unknown review", async () => {
    const r = await move(t, { id: randomUUID(), version: 1, status: "OPEN" }, "finalize");
    expect(errorOf(r).code).toBe("NOT_FOUND");
  });
});

describe("the decision", () => {
  it("takes a penalty code from the penalties table only", async () => {
    const { review } = await reviewIn(t, "OPEN");
    expect(errorOf(await move(t, review, "decide", { penalty: "FLOGGING" }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.penalty",
    });
    expect(errorOf(await move(t, review, "decide", { penalty: "bad code!" })).code).toBe(
      "BAD_USER_INPUT",
    );
    expect((await reviewRow(t, review.id)).status).toBe("OPEN");
    for (const penalty of [
      "REMARK",
      "INCOMPLETE_SERVICE_COMPLIANCE",
      "DEMOTION_IN_POSITION",
      "DEMOTION_IN_RANK",
      "DISMISSAL",
      "NO_ACTION",
      "TRAINING",
    ]) {
      const fresh = await reviewIn(t, "OPEN");
      expect((await moved(t, fresh.review, "decide", { penalty })) as unknown).toMatchObject({
        status: "DECIDED",
        decision: { penalty },
      });
    }
  });

  it("needs effectiveUntil after effectiveFrom, and null means permanent", async () => {
    const { review } = await reviewIn(t, "OPEN");
    const from = daysFromToday(10);
    expect(
      errorOf(await move(t, review, "decide", { effectiveFrom: from, effectiveUntil: from })),
    ).toEqual({ code: "BAD_USER_INPUT", field: "input.effectiveUntil" });
    expect(
      errorOf(
        await move(t, review, "decide", { effectiveFrom: from, effectiveUntil: daysFromToday(5) }),
      ).code,
    ).toBe("BAD_USER_INPUT");
    expect(errorOf(await move(t, review, "decide", { effectiveFrom: "2026-02-30" })).code).toBe(
      "BAD_USER_INPUT",
    );
    const permanent = await moved(t, review, "decide", {
      penalty: "DEMOTION_IN_RANK",
      effectiveUntil: null,
    });
    expect(permanent).toMatchObject({
      decision: { penalty: "DEMOTION_IN_RANK", effectiveUntil: null },
    });
  });

  it("takes a decision only with a written rationale: a missing, empty or blank one changes nothing", async () => {
    const { review } = await reviewIn(t, "OPEN");
    for (const rationale of [undefined, null, ""]) {
      expect(errorOf(await move(t, review, "decide", { rationale })).code).toBe("BAD_USER_INPUT");
    }
    for (const rationale of ["   ", "\n\t"]) {
      expect(errorOf(await move(t, review, "decide", { rationale }))).toEqual({
        code: "BAD_USER_INPUT",
        field: "input.rationale",
      });
    }
    expect(await reviewRow(t, review.id)).toMatchObject({
      status: "OPEN",
      version: review.version,
    });
  });
});

describe("appeals", () => {
  it("REDUCED replaces the penalty with a lighter one, which is then the sanction in force", async () => {
    const { review, badgeNumber } = await reviewIn(t, "APPEALED", undefined, {
      penalty: "SEVERE_REPRIMAND",
    });
    const decided = await moved(t, review, "decideAppeal", {
      outcome: "REDUCED",
      penalty: "REMARK",
    });
    expect(decided).toMatchObject({
      status: "APPEAL_DECIDED",
      decision: { penalty: "REMARK", overturned: false },
    });
    expect((await reviewRow(t, review.id)).originalPenalty).toBe("SEVERE_REPRIMAND");
    const standing = await standingOf(t, badgeNumber);
    expect(standing.standing).toBe("SANCTIONED");
    expect(standing.activeSanctions.map((s) => s.penalty)).toEqual(["REMARK"]);
  });

  it("REDUCED needs a lighter penalty from the table, and only REDUCED takes one", async () => {
    const { review } = await reviewIn(t, "APPEALED", undefined, { penalty: "REPRIMAND" });
    expect(errorOf(await move(t, review, "decideAppeal", { outcome: "REDUCED" }))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.penalty",
    });
    expect(
      errorOf(await move(t, review, "decideAppeal", { outcome: "REDUCED", penalty: "REPRIMAND" }))
        .code,
    ).toBe("BAD_USER_INPUT");
    expect(
      errorOf(await move(t, review, "decideAppeal", { outcome: "REDUCED", penalty: "DISMISSAL" }))
        .code,
    ).toBe("BAD_USER_INPUT");
    expect(
      errorOf(await move(t, review, "decideAppeal", { outcome: "REDUCED", penalty: "NOPE" })).code,
    ).toBe("BAD_USER_INPUT");
    expect(
      errorOf(await move(t, review, "decideAppeal", { outcome: "UPHELD", penalty: "REMARK" })).code,
    ).toBe("BAD_USER_INPUT");
    expect(await reviewRow(t, review.id)).toMatchObject({
      status: "APPEALED",
      penalty: "REPRIMAND",
      version: review.version,
    });
  });

  it("OVERTURNED leaves a decision that is never in force", async () => {
    const { review, badgeNumber } = await reviewIn(t, "APPEALED", undefined, {
      penalty: "DISMISSAL",
      effectiveUntil: null,
    });
    expect(await moved(t, review, "decideAppeal", { outcome: "OVERTURNED" })).toMatchObject({
      decision: { overturned: true },
    });
    const standing = await standingOf(t, badgeNumber);
    expect(standing).toMatchObject({ standing: "GOOD", activeSanctions: [] });
  });

  it("takes an appeal only with its grounds, and decides it only with a rationale, which the decision shows", async () => {
    const { review } = await reviewIn(t, "DECIDED");
    for (const reason of [undefined, ""]) {
      const refused = await move(t, review, "appeal", { reason });
      expect(errorOf(refused).code).toBe("BAD_USER_INPUT");
    }
    for (const reason of ["   ", "\n\t\u00a0"]) {
      const refused = await move(t, review, "appeal", { reason });
      expect(errorOf(refused)).toEqual({ code: "BAD_USER_INPUT", field: "input.reason" });
    }
    const appealed = await moved(t, review, "appeal", { reason: "Disproportionate." });
    for (const rationale of [undefined, "", "\u0000"]) {
      const refused = await move(t, appealed, "decideAppeal", { rationale });
      expect(errorOf(refused).code).toBe("BAD_USER_INPUT");
    }
    for (const rationale of [" ", "\r\n  \t"]) {
      const refused = await move(t, appealed, "decideAppeal", { rationale });
      expect(errorOf(refused)).toEqual({ code: "BAD_USER_INPUT", field: "input.rationale" });
    }
    expect((await reviewRow(t, review.id)).status).toBe("APPEALED");
    const rationale = "The hearing followed procedure.";
    const decided = ok(
      await (
        await t.as("SUPERVISOR")
      ).query(
        `mutation($input: DecideAppealInput!) { decideAppeal(input: $input) { review { status decision { appealOutcome appealRationale } } } }`,
        {
          input: {
            reviewId: appealed.id,
            expectedVersion: appealed.version,
            outcome: "UPHELD",
            rationale,
          },
        },
      ),
    );
    expect(decided.decideAppeal.review).toEqual({
      status: "APPEAL_DECIDED",
      decision: { appealOutcome: "UPHELD", appealRationale: rationale },
    });
  });

  it("cannot appeal a FINAL decision, nor appeal twice", async () => {
    const final = await reviewIn(t, "FINAL");
    expect(errorOf(await move(t, final.review, "appeal")).code).toBe("INVALID_STATE");
    const decided = await reviewIn(t, "APPEAL_DECIDED");
    expect(errorOf(await move(t, decided.review, "appeal")).code).toBe("INVALID_STATE");
  });
});

describe("who may move reviews", () => {
  it.each(["INVESTIGATOR", "HR", "ANALYST", "AUDITOR", "ADMIN"] as const)(
    "refuses %s every review mutation with FORBIDDEN",
    async (role) => {
      const { review, badgeNumber } = await reviewIn(t, "OPEN");
      const caller = await t.as(role);
      const open = await caller.op("OpenDisciplinaryReview", {
        input: { officerBadge: badgeNumber, allegationIds: [], summary: "s" },
      });
      expect(errorOf(open).code).toBe("FORBIDDEN");
      for (const name of ["schedule", "decide", "appeal", "decideAppeal", "finalize"] as Move[]) {
        expect(errorOf(await move(t, review, name, {}, caller)).code).toBe("FORBIDDEN");
      }
      expect(await reviewRow(t, review.id)).toMatchObject({ status: "OPEN", version: 1 });
      expect(await countReviews(badgeNumber)).toBe(1);
    },
  );

  it("refuses callers without a token with UNAUTHENTICATED", async () => {
    const { review, badgeNumber } = await reviewIn(t, "OPEN");
    const open = await t.public.op("OpenDisciplinaryReview", {
      input: { officerBadge: badgeNumber, allegationIds: [], summary: "s" },
    });
    expect(errorOf(open).code).toBe("UNAUTHENTICATED");
    for (const name of ["schedule", "decide", "appeal", "decideAppeal", "finalize"] as Move[]) {
      expect(errorOf(await move(t, review, name, {}, t.public)).code).toBe("UNAUTHENTICATED");
    }
  });

  it("lets investigators and auditors read reviews, not HR, analysts or administrators", async () => {
    const { review } = await reviewIn(t, "DECIDED");
    const read = `query($id: ID!) { disciplinaryReview(id: $id) { id status summary decision { penalty } } }`;
    for (const role of ["INVESTIGATOR", "SUPERVISOR", "AUDITOR"] as const) {
      expect(
        ok(await (await t.as(role)).query(read, { id: review.id })).disciplinaryReview,
      ).toMatchObject({ id: review.id, status: "DECIDED" });
    }
    for (const role of ["HR", "ANALYST", "ADMIN"] as const) {
      expect(errorOf(await (await t.as(role)).query(read, { id: review.id })).code).toBe(
        "FORBIDDEN",
      );
    }
    expect(errorOf(await t.public.query(read, { id: review.id })).code).toBe("UNAUTHENTICATED");
  });
});
