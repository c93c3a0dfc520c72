import { ok, startTestServer, type TestServer } from "./helpers/server";
import { complaintId, submitComplaint } from "./helpers/complaints";
import { createDistrict, createOfficer } from "./helpers/factories";
import { yearsFromToday } from "./helpers/officers";

let t: TestServer;
beforeAll(async () => (t = await startTestServer()));
afterAll(() => t.close());

it("turns a sustained allegation into a sanction that HR sees as SANCTIONED", async () => {
  const [admin, inv, sup, hr] = await Promise.all([
    t.as("ADMIN"),
    t.as("INVESTIGATOR"),
    t.as("SUPERVISOR"),
    t.as("HR"),
  ]);
  const district = await createDistrict(admin);
  const officer = await createOfficer(admin, { unitCode: district });
  expect(
    ok(await hr.op("OfficerStanding", { badgeNumber: officer.badgeNumber })).officerStanding
      .standing,
  ).toBe("GOOD");
  const { receipt } = await submitComplaint(t.public, {
    officers: [{ badgeNumber: officer.badgeNumber }],
    categories: ["FORCE"],
  });
  const id = await complaintId(inv, receipt.trackingNumber);
  ok(
    await inv.op("AssignComplaint", {
      input: { complaintId: id, assigneeId: inv.principalId, expectedVersion: 1 },
    }),
  );
  ok(await inv.op("StartInvestigation", { input: { complaintId: id, expectedVersion: 2 } }));
  const file = ok(await sup.op("CaseFile", { id }));
  const allegationId = file.complaint.allegations[0].id;
  ok(
    await sup.op("RecordFinding", {
      input: { allegationId, finding: "SUSTAINED", rationale: "video" },
    }),
  );
  const opened = ok(
    await sup.op("OpenDisciplinaryReview", {
      input: {
        officerBadge: officer.badgeNumber,
        allegationIds: [allegationId],
        summary: "Force.",
      },
    }),
  );
  const reviewId = opened.openDisciplinaryReview.review.id;
  expect(
    ok(await hr.op("OfficerStanding", { badgeNumber: officer.badgeNumber })).officerStanding
      .standing,
  ).toBe("UNDER_REVIEW");
  ok(
    await sup.op("ScheduleHearing", {
      input: {
        reviewId,
        expectedVersion: 1,
        hearingAt: new Date(Date.now() + 86_400_000).toISOString(),
      },
    }),
  );
  const decided = ok(
    await sup.op("DecideDisciplinaryReview", {
      input: {
        reviewId,
        expectedVersion: 2,
        penalty: "SEVERE_REPRIMAND",
        effectiveFrom: "2026-01-01",
        effectiveUntil: yearsFromToday(4),
        rationale: "r",
        aggravatingFactors: ["prior"],
        mitigatingFactors: [],
      },
    }),
  );
  expect(decided.decideDisciplinaryReview.review.decision.penalty).toBe("SEVERE_REPRIMAND");
  const standing = ok(
    await hr.op("OfficerStanding", { badgeNumber: officer.badgeNumber }),
  ).officerStanding;
  expect(standing.standing).toBe("SANCTIONED");
  expect(standing.activeSanctions).toHaveLength(1);
  ok(
    await sup.op("AppealDisciplinaryReview", {
      input: { reviewId, expectedVersion: 3, reason: "Disproportionate to the finding." },
    }),
  );
  ok(
    await sup.op("DecideAppeal", {
      input: {
        reviewId,
        expectedVersion: 4,
        outcome: "REDUCED",
        penalty: "REPRIMAND",
        rationale: "A first offence.",
      },
    }),
  );
  ok(await sup.op("FinalizeReview", { input: { reviewId, expectedVersion: 5 } }));
  const profile = ok(await inv.op("OfficerProfile", { badgeNumber: officer.badgeNumber })).officer;
  expect(profile.reviews[0]).toMatchObject({ status: "FINAL", decision: { penalty: "REPRIMAND" } });
  expect(profile.allegations.totalCount).toBe(1);
  const roster = ok(await inv.op("UnitRoster", { unitCode: district, first: 10 }));
  expect(roster.officers.edges[0].node.standing.standing).toBe("SANCTIONED");
  const units = ok(await hr.op("UnitStandings", { unitCode: district, standing: "SANCTIONED" }));
  expect(units.officerStandings.totalCount).toBe(1);
  expect(ok(await sup.op("CaseFile", { id })).complaint.reviews).toEqual([
    { id: reviewId, status: "FINAL" },
  ]);
  ok(await sup.op("EarlyWarningRules"));
});
