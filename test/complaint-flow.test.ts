import { ok, startTestServer, type TestServer } from "./helpers/server";
import { complaintId, submitComplaint } from "./helpers/complaints";

let t: TestServer;
beforeAll(async () => (t = await startTestServer()));
afterAll(() => t.close());

it("takes a complaint from the form to closure", async () => {
  const { receipt } = await submitComplaint(t.public);
  expect(receipt.trackingNumber).toMatch(/^SNM-\d{4}-\d{6}$/);
  const inv = await t.as("INVESTIGATOR");
  const sup = await t.as("SUPERVISOR");
  const id = await complaintId(inv, receipt.trackingNumber);
  const file = ok(
    await inv.op("CaseQueue", { filter: { trackingNumber: receipt.trackingNumber } }),
  );
  expect(file.complaints.totalCount).toBe(1);
  const a = ok(
    await inv.op("AssignComplaint", {
      input: { complaintId: id, assigneeId: inv.principalId, expectedVersion: 1 },
    }),
  );
  expect(a.assignComplaint.complaint.status).toBe("ASSIGNED");
  ok(await inv.op("StartInvestigation", { input: { complaintId: id, expectedVersion: 2 } }));
  const q = ok(
    await inv.query(
      `query($id: ID!) { complaint(id: $id) { narrative complainant { fullName } allegations { id } timeline { kind publicMessage actor { name } } } }`,
      { id },
    ),
  );
  expect(q.complaint.complainant.fullName).toBe("Aigerim Sadykova");
  const allegationId = q.complaint.allegations[0].id;
  ok(
    await inv.op("RecordFinding", {
      input: { allegationId, finding: "SUSTAINED", rationale: "video" },
    }),
  );
  ok(await inv.op("SubmitForReview", { input: { complaintId: id, expectedVersion: 4 } }));
  ok(
    await sup.op("RecordFinding", {
      input: { allegationId, finding: "SUSTAINED", rationale: "video" },
    }),
  );
  const c = ok(
    await sup.op("CloseComplaint", {
      input: { complaintId: id, expectedVersion: 6, publicMessage: "Upheld." },
    }),
  );
  expect(c.closeComplaint.complaint.status).toBe("CLOSED");
  const s = ok(
    await t.public.op("ComplaintStatus", {
      trackingNumber: receipt.trackingNumber,
      accessCode: receipt.accessCode,
    }),
  );
  expect(s.complaintStatus.outcome).toBe("UPHELD");
  ok(
    await t.public.op("SubmitComplaintFeedback", {
      input: { trackingNumber: receipt.trackingNumber, accessCode: receipt.accessCode, rating: 4 },
    }),
  );
});

it("keeps the allegations in the form's order: each officer, then each category", async () => {
  const admin = await t.as("ADMIN");
  const inv = await t.as("INVESTIGATOR");
  const badge = ok(
    await admin.op("CreateOfficer", {
      input: {
        badgeNumber: `ORD-${Date.now()}`,
        fullName: "Order Test",
        rank: "SERGEANT",
        unitCode: "KZ-AST",
        hiredAt: "2020-01-01",
      },
    }),
  ).createOfficer.officer.badgeNumber;
  const categories = ["OTHER", "FORCE", "DISCOURTESY"];
  const { receipt } = await submitComplaint(t.public, {
    officers: [{ description: "the tall one" }, { badgeNumber: badge }],
    categories,
  });
  const id = await complaintId(inv, receipt.trackingNumber);
  const file = ok(
    await inv.query(
      `query($id: ID!) { complaint(id: $id) { allegations { category description officer { badgeNumber } } } }`,
      { id },
    ),
  );
  expect(
    file.complaint.allegations.map((a: any) => [
      a.description ?? a.officer.badgeNumber,
      a.category,
    ]),
  ).toEqual([...categories.map((c) => ["the tall one", c]), ...categories.map((c) => [badge, c])]);
});
