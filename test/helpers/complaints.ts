import { randomUUID } from "node:crypto";
import type { Caller } from "./server";
import { ok } from "./server";

/** A complaint form's input, like the contract's example; pass overrides for what the test is about. */
export const complaintInput = (overrides: Record<string, unknown> = {}) => ({
  idempotencyKey: randomUUID(),
  channel: "WEB_FORM",
  incidentAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
  incidentPlace: "Kabanbay Batyr Ave 12, Astana",
  unitCode: "KZ-AST",
  narrative: "The officer refused to register my report of domestic violence.",
  categories: ["DOMESTIC_VIOLENCE_HANDLING"],
  officers: [{ description: "second officer, tall, no badge visible" }],
  complainant: {
    fullName: "Aigerim Sadykova",
    email: "a.sadykova@example.kz",
    phone: "+77010000000",
    type: "VICTIM",
  },
  language: "KK",
  ...overrides,
});

export interface Receipt {
  trackingNumber: string;
  accessCode: string;
  registeredAt: string;
  responseDueAt: string;
}

/** Submits through the contract's SubmitComplaint and returns the receipt and the complaint's id. */
export async function submitComplaint(caller: Caller, overrides: Record<string, unknown> = {}) {
  const input = complaintInput(overrides);
  const receipt = ok(await caller.op("SubmitComplaint", { input })).submitComplaint
    .receipt as Receipt;
  return { input, receipt };
}

/** The complaint's id, found through the case queue by tracking number (as an investigator would). */
export async function complaintId(investigator: Caller, trackingNumber: string): Promise<string> {
  const data = ok(
    await investigator.query(
      `query($n: String!) { complaints(filter: { trackingNumber: $n }, first: 1) { edges { node { id } } } }`,
      { n: trackingNumber },
    ),
  );
  return data.complaints.edges[0].node.id;
}
