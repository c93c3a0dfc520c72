import {
  Arg,
  Args,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import type { Context } from "../../context";
import { readCitizenText } from "../../audit/request-audit";
import { PageArgs, WantsTotal } from "../../common/pagination";
import { Principal } from "../../auth/principal.type";
import { Officer } from "../officer/officer.type";
import { Unit } from "../unit/unit.type";
import {
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
  SubmitComplaintFeedbackInput,
  SubmitComplaintInput,
} from "./complaint.input";
import * as cases from "./complaint.service";
import * as complainant from "./complainant.service";
import {
  Allegation,
  Complainant,
  Complaint,
  ComplaintConnection,
  ComplaintReceipt,
  ComplaintStatusView,
  TimelineEntry,
} from "./complaint.type";
import type { AllegationRow, ComplaintRow } from "../../db/schema";

@ObjectType({ description: "Result of submitComplaint." })
class SubmitComplaintPayload {
  @Field(() => ComplaintReceipt, {
    description: "Keep it: the tracking number and access code open the complaint's status.",
  })
  receipt: ComplaintReceipt;
}

@ObjectType({ description: "Result of submitComplaintFeedback." })
class SubmitComplaintFeedbackPayload {
  @Field({ description: "True once the rating is recorded." })
  accepted: boolean;
}

@ObjectType({ description: "The complaint after the change." })
class ComplaintPayload {
  @Field(() => Complaint, { description: "The case file as it now stands." })
  complaint: Complaint;
}

@ObjectType({ description: "The allegation after the change." })
class AllegationPayload {
  @Field(() => Allegation, { description: "The allegation as it now stands." })
  allegation: Allegation;
}

const complaintPayload = async (work: Promise<Complaint>) => ({ complaint: await work });
const allegationPayload = async (work: Promise<Allegation>) => ({ allegation: await work });

@Resolver(() => Complaint)
export class ComplaintResolver {
  @Mutation(() => SubmitComplaintPayload, {
    description:
      "Register a complaint (public; with a staff token the registering officer is recorded). Idempotent on idempotencyKey.",
  })
  async submitComplaint(@Arg("input") input: SubmitComplaintInput, @Ctx() ctx: Context) {
    return { receipt: await complainant.submitComplaint(ctx, input) };
  }

  @Query(() => ComplaintStatusView, {
    description:
      "The complainant's view of a complaint; NOT_FOUND for an unknown number or a wrong code alike.",
  })
  complaintStatus(
    @Arg("trackingNumber") trackingNumber: string,
    @Arg("accessCode") accessCode: string,
    @Ctx() ctx: Context,
  ) {
    return complainant.complaintStatus(ctx, trackingNumber, accessCode);
  }

  @Mutation(() => SubmitComplaintFeedbackPayload, {
    description: "Rate the handling of a closed complaint, once (public).",
  })
  submitComplaintFeedback(@Arg("input") input: SubmitComplaintFeedbackInput, @Ctx() ctx: Context) {
    return complainant.submitComplaintFeedback(ctx, input);
  }

  @Query(() => ComplaintConnection, {
    description: "The case queue: complaints matching the filter, nearest deadline first.",
  })
  complaints(
    @Arg("filter", () => ComplaintFilter, { nullable: true }) filter: ComplaintFilter | null,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
    @WantsTotal() wantsTotal: boolean,
  ) {
    return cases.listComplaints(ctx, filter, page, wantsTotal);
  }

  @Query(() => Complaint, {
    description: "One complaint's case file; NOT_FOUND when there is none.",
  })
  complaint(@Arg("id", () => ID) id: string, @Ctx() ctx: Context) {
    return cases.findComplaint(ctx, id);
  }

  @Mutation(() => ComplaintPayload, {
    description: "Give the complaint to an investigator (REGISTERED becomes ASSIGNED).",
  })
  assignComplaint(@Arg("input") input: AssignComplaintInput, @Ctx() ctx: Context) {
    return complaintPayload(cases.assignComplaint(ctx, input));
  }

  @Mutation(() => ComplaintPayload, {
    description: "ASSIGNED or REOPENED becomes UNDER_INVESTIGATION.",
  })
  startInvestigation(@Arg("input") input: ComplaintTransitionInput, @Ctx() ctx: Context) {
    return complaintPayload(cases.startInvestigation(ctx, input));
  }

  @Mutation(() => ComplaintPayload, { description: "UNDER_INVESTIGATION becomes PENDING_REVIEW." })
  submitForReview(@Arg("input") input: ComplaintTransitionInput, @Ctx() ctx: Context) {
    return complaintPayload(cases.submitForReview(ctx, input));
  }

  @Mutation(() => ComplaintPayload, {
    description:
      "Close: from PENDING_REVIEW when every allegation has a finding or closure reason; earlier only when every allegation has a closure reason.",
  })
  closeComplaint(@Arg("input") input: CloseComplaintInput, @Ctx() ctx: Context) {
    return complaintPayload(cases.closeComplaint(ctx, input));
  }

  @Mutation(() => ComplaintPayload, { description: "CLOSED becomes REOPENED (SUPERVISOR)." })
  reopenComplaint(@Arg("input") input: ComplaintTransitionInput, @Ctx() ctx: Context) {
    return complaintPayload(cases.reopenComplaint(ctx, input));
  }

  @Mutation(() => ComplaintPayload, {
    description:
      "Extend the response deadline once, with a reason, up to 2 calendar months after registration.",
  })
  extendResponseDeadline(@Arg("input") input: ExtendResponseDeadlineInput, @Ctx() ctx: Context) {
    return complaintPayload(cases.extendResponseDeadline(ctx, input));
  }

  @Mutation(() => ComplaintPayload, {
    description: "Add an internal note, and optionally a message on the public timeline.",
  })
  addCaseNote(@Arg("input") input: AddCaseNoteInput, @Ctx() ctx: Context) {
    return complaintPayload(cases.addCaseNote(ctx, input));
  }

  @Mutation(() => ComplaintPayload, {
    description:
      "Destroy the complainant's name, contacts, narrative and feedback comment for good (SUPERVISOR).",
  })
  eraseComplainantData(@Arg("input") input: EraseComplainantDataInput, @Ctx() ctx: Context) {
    return complaintPayload(cases.eraseComplainantData(ctx, input));
  }

  @Mutation(() => AllegationPayload, { description: "Add an allegation to an open complaint." })
  addAllegation(@Arg("input") input: AddAllegationInput, @Ctx() ctx: Context) {
    return allegationPayload(cases.addAllegation(ctx, input));
  }

  @Mutation(() => AllegationPayload, {
    description: "Name the officer an allegation is about; their unit at the incident is recorded.",
  })
  identifyOfficer(@Arg("input") input: IdentifyOfficerInput, @Ctx() ctx: Context) {
    return allegationPayload(cases.identifyOfficer(ctx, input));
  }

  @Mutation(() => AllegationPayload, {
    description:
      "Record a finding or closure reason: an INVESTIGATOR's is a recommendation, a SUPERVISOR's is final.",
  })
  recordFinding(@Arg("input") input: RecordFindingInput, @Ctx() ctx: Context) {
    return allegationPayload(cases.recordFinding(ctx, input));
  }

  @FieldResolver(() => Boolean, { description: "Open and past the deadline in force." })
  overdue(@Root() complaint: ComplaintRow, @Ctx() { now }: Context) {
    return cases.isOverdue(complaint, now);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "What happened, in the complainant's words; null once erased. INVESTIGATOR and SUPERVISOR only.",
  })
  narrative(@Root() c: ComplaintRow, @Ctx() ctx: Context) {
    return readCitizenText(ctx, "complaints", c, "narrative_sealed", c.narrativeSealed);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "Where the incident happened, as the complainant wrote it; null once erased. INVESTIGATOR and SUPERVISOR only.",
  })
  incidentPlace(@Root() c: ComplaintRow, @Ctx() ctx: Context) {
    return readCitizenText(ctx, "complaints", c, "incident_place", c.incidentPlaceSealed);
  }

  @FieldResolver(() => Complainant, {
    nullable: true,
    description: "Who complained; null when anonymous. INVESTIGATOR and SUPERVISOR only.",
  })
  complainant(
    @Root() c: ComplaintRow,
    @Ctx() { recordKeys, personalReads }: Context,
  ): Complainant | null {
    if (c.anonymous) return null;
    const key = recordKeys.of("complaints", c);
    const identity = {
      fullName: key.open("complaints", "complainant_name_sealed", c.id, c.complainantNameSealed),
      email: key.open("complaints", "complainant_email_sealed", c.id, c.complainantEmailSealed),
      phone: key.open("complaints", "complainant_phone_sealed", c.id, c.complainantPhoneSealed),
    };
    const known = identity.fullName ?? identity.email ?? identity.phone;
    personalReads.note("Complaint", c.id, known);
    return { ...identity, type: c.complainantType };
  }

  @FieldResolver(() => Unit, {
    description: "Where the incident happened (region or district), or MVD when unknown.",
  })
  unit(@Root() complaint: ComplaintRow, @Ctx() { loaders }: Context) {
    return loaders.unitById.load(complaint.unitId);
  }

  @FieldResolver(() => Principal, { nullable: true, description: "Who handles the case." })
  assignee(@Root() complaint: ComplaintRow, @Ctx() { loaders }: Context) {
    return complaint.assigneeId ? loaders.principalById.load(complaint.assigneeId) : null;
  }

  @FieldResolver(() => Principal, {
    nullable: true,
    description:
      "Who registered it: a staff member for a walk-in or call, or the INTAKE principal of the integration channel (eOtinish, eGov, 102, Telegram) that submitted it; null for a public form sent without a token.",
  })
  registeredBy(@Root() complaint: ComplaintRow, @Ctx() { loaders }: Context) {
    return complaint.registeredBy ? loaders.principalById.load(complaint.registeredBy) : null;
  }

  @FieldResolver(() => [Allegation], { description: "The allegations, oldest first." })
  allegations(@Root() complaint: ComplaintRow, @Ctx() { loaders }: Context) {
    return loaders.allegationsByComplaintId.load(complaint.id);
  }

  @FieldResolver(() => [TimelineEntry], { description: "Everything that happened, oldest first." })
  timeline(@Root() complaint: ComplaintRow, @Ctx() { loaders }: Context) {
    return loaders.eventsByComplaintId.load(complaint.id);
  }
}

@Resolver(() => Allegation)
export class AllegationResolver {
  @FieldResolver(() => Officer, {
    nullable: true,
    description: "The officer accused; null until identified.",
  })
  officer(@Root() allegation: AllegationRow, @Ctx() { loaders }: Context) {
    return allegation.officerId ? loaders.officerById.load(allegation.officerId) : null;
  }

  @FieldResolver(() => Unit, {
    nullable: true,
    description: "The officer's unit on the day of the incident.",
  })
  unitAtIncident(@Root() allegation: AllegationRow, @Ctx() { loaders }: Context) {
    return allegation.unitAtIncidentId ? loaders.unitById.load(allegation.unitAtIncidentId) : null;
  }

  @FieldResolver(() => Complaint, { description: "The complaint holding this allegation." })
  complaint(@Root() allegation: AllegationRow, @Ctx() { loaders }: Context) {
    return loaders.complaintById.load(allegation.complaintId);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "The complainant's or investigator's description of the conduct or the officer; null once erased. INVESTIGATOR and SUPERVISOR only.",
  })
  async description(@Root() a: AllegationRow, @Ctx() ctx: Context) {
    if (!a.descriptionSealed) return null;
    const key = await complaintKey(ctx, a.complaintId);
    const text = key.open("allegations", "description", a.id, a.descriptionSealed);
    return ctx.personalReads.note("Complaint", a.complaintId, text);
  }
}

/** The data key of a complaint, for its allegations' and timeline's sealed text. */
async function complaintKey({ loaders, recordKeys }: Context, complaintId: string) {
  const complaint = await loaders.complaintById.load(complaintId);
  if (!complaint) throw new Error(`complaint ${complaintId} not found`);
  return recordKeys.of("complaints", complaint);
}

@Resolver(() => TimelineEntry)
export class TimelineEntryResolver {
  @FieldResolver(() => Principal, {
    nullable: true,
    description: "Who did it; null for the public or the system.",
  })
  actor(@Root() entry: TimelineEntry, @Ctx() { loaders }: Context) {
    return entry.actorId ? loaders.principalById.load(entry.actorId) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: "Internal note (never shown to the complainant); null once erased.",
  })
  async note(@Root() entry: TimelineEntry, @Ctx() ctx: Context) {
    if (!entry.noteSealed) return null;
    const key = await complaintKey(ctx, entry.complaintId);
    return key.open("complaint_events", "note", entry.id, entry.noteSealed);
  }
}
