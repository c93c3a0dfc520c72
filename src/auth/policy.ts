import type { Role } from "../db/schema";

/**
 * Who may do what: the one place that decides (DESIGN.md section 1).
 * Root fields are denied unless listed here; a test checks that every operation in the schema is.
 * Object fields listed in FIELD_POLICY are checked wherever they appear in a response.
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
  // Published figures: anyone, suppressed below ANALYST (metrics.service.ts); series only for those who see exact ones.
  trustMetrics: ["PUBLIC"],
  trustMetricsSeries: EXACT_METRICS_READERS,
};

/** `Type.field` entries narrower than the operation that reached them. */
export const FIELD_POLICY: Record<string, readonly Audience[]> = {
  // Complainant data: internal affairs only, never HR, analysts, administrators or auditors.
  "Complaint.complainant": CASEWORK,
  "Complaint.narrative": CASEWORK,
  "Commendation.narrative": CASEWORK,
  "Commendation.submitter": CASEWORK,
  // An officer's case history is for internal affairs and auditors; HR gets the standing instead.
  "Officer.reviews": CASE_READERS,
  "Officer.allegations": CASE_READERS,
  "Officer.commendations": CASE_READERS,
  "DisciplinaryReview.allegations": CASE_READERS,
  "Officer.standing": STANDING_READERS,
  // Reached from an officer, a complaint or an allegation: the complaint itself is case material.
  "Allegation.complaint": CASE_READERS,
};

export type Decision = "ALLOW" | "UNAUTHENTICATED" | "FORBIDDEN";

export function decide(audience: readonly Audience[] | undefined, role: Role | null): Decision {
  if (!audience) return role ? "FORBIDDEN" : "UNAUTHENTICATED";
  if (audience.includes("PUBLIC")) return "ALLOW";
  if (!role) return "UNAUTHENTICATED";
  return audience.includes("ANY_TOKEN") || audience.includes(role) ? "ALLOW" : "FORBIDDEN";
}
