import type { Role } from "../db/schema";

/**
 * Who may do what: the one place that decides (DESIGN.md section 1).
 * Root fields are denied unless listed here; a test checks that every operation in the schema is.
 * Object fields listed in FIELD_POLICY are checked wherever they appear in a response, and so are all fields
 * of the DENY_BY_DEFAULT types, refused when not listed.
 * INTAKE (integration channels) is in no list: it reaches the PUBLIC operations, and `me`, only.
 */
export type Audience = Role | "PUBLIC" | "ANY_TOKEN";

const STAFF: Audience[] = ["INVESTIGATOR", "SUPERVISOR", "HR", "AUDITOR", "ADMIN"];
/** Internal affairs works cases; auditors read them. */
const CASEWORK: Audience[] = ["INVESTIGATOR", "SUPERVISOR"];
const CASE_READERS: Audience[] = ["INVESTIGATOR", "SUPERVISOR", "AUDITOR"];
/** HR's one honest answer about an officer, also used by internal affairs and auditors. */
const STANDING_READERS: Audience[] = ["INVESTIGATOR", "SUPERVISOR", "HR", "AUDITOR"];
/** Who sees trust metrics exactly (and their series); everyone else gets small-cell suppression. */
export const EXACT_METRICS_READERS: readonly Audience[] = [
  "ANALYST",
  "INVESTIGATOR",
  "SUPERVISOR",
  "AUDITOR",
];

export const OPERATION_POLICY: Record<string, readonly Audience[]> = {
  // Public reference data for forms.
  units: ["PUBLIC"],
  me: ["ANY_TOKEN"],
  // Individual officer records: not for ANALYST, who sees no individual records.
  officer: STAFF,
  officers: STAFF,
  ranks: ["PUBLIC"],
  createUnit: ["ADMIN"],
  createOfficer: ["ADMIN"],
  importOfficers: ["ADMIN"],
  transferOfficer: ["ADMIN"],
  changeOfficerStatus: ["ADMIN"],
  issueApiToken: ["ADMIN"],
  // The second person for casework tokens (token.service.ts): never the issuer.
  approveApiToken: ["SUPERVISOR"],
  revokeApiToken: ["ADMIN"],
  auditTrail: ["AUDITOR"],
  verifyAuditChain: ["AUDITOR"],
  auditCheckpoint: ["AUDITOR"],
  // Public intake: forms carry no token; staff registering a walk-in or call, and INTAKE channels, are recorded.
  submitComplaint: ["PUBLIC"],
  complaintStatus: ["PUBLIC"],
  submitComplaintFeedback: ["PUBLIC"],
  complaints: CASE_READERS,
  complaint: CASE_READERS,
  assignComplaint: CASEWORK,
  startInvestigation: CASEWORK,
  addAllegation: CASEWORK,
  identifyOfficer: CASEWORK,
  recordFinding: CASEWORK,
  extendResponseDeadline: CASEWORK,
  addCaseNote: CASEWORK,
  submitForReview: CASEWORK,
  closeComplaint: CASEWORK,
  reopenComplaint: ["SUPERVISOR"],
  eraseComplainantData: ["SUPERVISOR"],
  submitCommendation: ["PUBLIC"],
  commendations: CASE_READERS,
  verifyCommendation: ["SUPERVISOR"],
  rejectCommendation: ["SUPERVISOR"],
  recordCommendation: ["SUPERVISOR"],
  disciplinaryReview: CASE_READERS,
  openDisciplinaryReview: ["SUPERVISOR"],
  scheduleHearing: ["SUPERVISOR"],
  decideDisciplinaryReview: ["SUPERVISOR"],
  appealDisciplinaryReview: ["SUPERVISOR"],
  decideAppeal: ["SUPERVISOR"],
  finalizeReview: ["SUPERVISOR"],
  officerStanding: STANDING_READERS,
  officerStandings: STANDING_READERS,
  earlyWarningRules: ["INVESTIGATOR", "SUPERVISOR", "HR", "AUDITOR", "ADMIN"],
  setEarlyWarningRule: ["SUPERVISOR"],
  // Published figures: anyone, suppressed below ANALYST, in whole calendar periods (metrics.service.ts).
  trustMetrics: ["PUBLIC"],
  trustMetricsSeries: ["PUBLIC"],
};

/**
 * Types whose every field must be listed in FIELD_POLICY: a field without an entry is refused to everyone,
 * so a field added later stays hidden until someone decides who may see it (DESIGN.md sections 1 and 4).
 * These are the case file and the citizen's words: complaints and commendations, and the types reached
 * through them. A test checks that each of their fields has an entry, and that every type reachable only
 * through a complaint or a commendation is listed here. Other types (officers, units, reviews) are checked
 * only on the fields named below.
 */
export const DENY_BY_DEFAULT: ReadonlySet<string> = new Set([
  "Complaint",
  "Complainant",
  "Allegation",
  "TimelineEntry",
  "Commendation",
  "CommendationSubmitter",
]);

/**
 * What a citizen typed, and who they are: internal affairs only. AUDITOR reads everything but this (DESIGN.md
 * section 1), and a home address in an incident place or "the man who lives next to <name>" in a description
 * of an officer is as much the complainant's as their name, so these count as complainant data.
 */
const CITIZEN_DATA: Audience[] = CASEWORK;
/** How staff handled the case (status, dates, findings and their reasons, notes): auditors check it. */
const CASE_HANDLING: Audience[] = CASE_READERS;

/**
 * `Type.field` entries: every field of the DENY_BY_DEFAULT types, and fields of other types narrower than the
 * operation that reached them. Whoever reaches a complaint or a commendation at all is a CASE_READER (every
 * operation and field that leads to one is), so CASE_HANDLING hides nothing more from them; it is written out
 * so that no field of a case is visible by default.
 */
export const FIELD_POLICY: Record<string, readonly Audience[]> = {
  "Complaint.id": CASE_HANDLING,
  "Complaint.version": CASE_HANDLING,
  "Complaint.trackingNumber": CASE_HANDLING,
  "Complaint.status": CASE_HANDLING,
  "Complaint.channel": CASE_HANDLING,
  "Complaint.language": CASE_HANDLING,
  "Complaint.registeredAt": CASE_HANDLING,
  "Complaint.responseDueAt": CASE_HANDLING,
  "Complaint.extendedTo": CASE_HANDLING,
  "Complaint.closedAt": CASE_HANDLING,
  "Complaint.overdue": CASE_HANDLING,
  "Complaint.incidentAt": CASE_HANDLING,
  // Whether there is a complainant, not who: counted in figures auditors check.
  "Complaint.anonymous": CASE_HANDLING,
  "Complaint.unit": CASE_HANDLING,
  "Complaint.assignee": CASE_HANDLING,
  "Complaint.registeredBy": CASE_HANDLING,
  "Complaint.allegations": CASE_HANDLING,
  "Complaint.timeline": CASE_HANDLING,
  "Complaint.reviews": CASE_HANDLING,
  // Typed by the citizen: often an address, the complainant's own or a neighbour's.
  "Complaint.incidentPlace": CITIZEN_DATA,
  "Complaint.narrative": CITIZEN_DATA,
  "Complaint.complainant": CITIZEN_DATA,
  // The complainant's identity; even their relation to the incident (VICTIM, WITNESS) says who they are.
  "Complainant.fullName": CITIZEN_DATA,
  "Complainant.email": CITIZEN_DATA,
  "Complainant.phone": CITIZEN_DATA,
  "Complainant.type": CITIZEN_DATA,

  "Allegation.id": CASE_HANDLING,
  "Allegation.category": CASE_HANDLING,
  "Allegation.officer": CASE_HANDLING,
  "Allegation.unitAtIncident": CASE_HANDLING,
  "Allegation.recommendedFinding": CASE_HANDLING,
  "Allegation.finding": CASE_HANDLING,
  "Allegation.closureReason": CASE_HANDLING,
  "Allegation.findingRationale": CASE_HANDLING,
  // Reached from an officer, a review or an allegation: the complaint itself is case material.
  "Allegation.complaint": CASE_HANDLING,
  // The citizen's description of the officer ("the man who lives next to ..."), on every path to it.
  "Allegation.description": CITIZEN_DATA,

  // Notes and public messages are written by staff; the erasure reason is one such note, and auditors must
  // be able to check that an erasure had a legal ground.
  "TimelineEntry.at": CASE_HANDLING,
  "TimelineEntry.kind": CASE_HANDLING,
  "TimelineEntry.actor": CASE_HANDLING,
  "TimelineEntry.note": CASE_HANDLING,
  "TimelineEntry.publicMessage": CASE_HANDLING,

  "Commendation.id": CASE_HANDLING,
  "Commendation.trackingNumber": CASE_HANDLING,
  "Commendation.type": CASE_HANDLING,
  "Commendation.status": CASE_HANDLING,
  "Commendation.occurredAt": CASE_HANDLING,
  "Commendation.registeredAt": CASE_HANDLING,
  "Commendation.channel": CASE_HANDLING,
  "Commendation.reviewedAt": CASE_HANDLING,
  "Commendation.reviewedBy": CASE_HANDLING,
  "Commendation.officer": CASE_HANDLING,
  "Commendation.unit": CASE_HANDLING,
  // The citizen's words, who they are, and how they described the officer.
  "Commendation.narrative": CITIZEN_DATA,
  "Commendation.officerDescription": CITIZEN_DATA,
  "Commendation.submitter": CITIZEN_DATA,
  "CommendationSubmitter.fullName": CITIZEN_DATA,
  "CommendationSubmitter.email": CITIZEN_DATA,
  "CommendationSubmitter.phone": CITIZEN_DATA,

  // An officer's case history is for internal affairs and auditors; HR gets the standing instead.
  "Officer.reviews": CASE_READERS,
  "Officer.allegations": CASE_READERS,
  "Officer.commendations": CASE_READERS,
  "DisciplinaryReview.allegations": CASE_READERS,
  "Officer.standing": STANDING_READERS,
};

export type Decision = "ALLOW" | "UNAUTHENTICATED" | "FORBIDDEN";

export function decide(audience: readonly Audience[] | undefined, role: Role | null): Decision {
  if (!audience) return role ? "FORBIDDEN" : "UNAUTHENTICATED";
  if (audience.includes("PUBLIC")) return "ALLOW";
  if (!role) return "UNAUTHENTICATED";
  return audience.includes("ANY_TOKEN") || audience.includes(role) ? "ALLOW" : "FORBIDDEN";
}
