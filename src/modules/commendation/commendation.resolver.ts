import {
  Arg,
  Args,
  Ctx,
  Field,
  FieldResolver,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import type { Context } from "../../context";
import { readCitizenText } from "../../audit/request-audit";
import { PageArgs } from "../../common/pagination";
import { Officer } from "../officer/officer.type";
import { Unit } from "../unit/unit.type";
import { Principal } from "../../auth/principal.type";
import {
  CommendationFilter,
  RecordCommendationInput,
  ReviewCommendationInput,
  SubmitCommendationInput,
} from "./commendation.input";
import * as service from "./commendation.service";
import {
  Commendation,
  CommendationConnection,
  CommendationReceipt,
  CommendationSubmitter,
} from "./commendation.type";
import type { CommendationRow } from "../../db/schema";

@ObjectType({ description: "Result of submitCommendation." })
class SubmitCommendationPayload {
  @Field(() => CommendationReceipt, { description: "The commendation's tracking number." })
  receipt: CommendationReceipt;
}

@ObjectType({ description: "The commendation after the change." })
class CommendationPayload {
  @Field(() => Commendation, { description: "The commendation as it now stands." })
  commendation: Commendation;
}

const payload = async (work: Promise<Commendation>) => ({ commendation: await work });

@Resolver(() => Commendation)
export class CommendationResolver {
  @Mutation(() => SubmitCommendationPayload, {
    description: "Thank an officer (public). Idempotent on idempotencyKey.",
  })
  async submitCommendation(@Arg("input") input: SubmitCommendationInput, @Ctx() ctx: Context) {
    return { receipt: await service.submitCommendation(ctx, input) };
  }

  @Query(() => CommendationConnection, {
    description: "Commendations matching the filter, newest first.",
  })
  commendations(
    @Arg("filter", () => CommendationFilter, { nullable: true }) filter: CommendationFilter | null,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
  ) {
    return service.listCommendations(ctx, filter, page);
  }

  @Mutation(() => CommendationPayload, {
    description: "Confirm a submitted commendation so that it counts (SUPERVISOR).",
  })
  verifyCommendation(@Arg("input") input: ReviewCommendationInput, @Ctx() ctx: Context) {
    return payload(service.verifyCommendation(ctx, input));
  }

  @Mutation(() => CommendationPayload, {
    description: "Reject a submitted commendation; it never counts (SUPERVISOR).",
  })
  rejectCommendation(@Arg("input") input: ReviewCommendationInput, @Ctx() ctx: Context) {
    return payload(service.rejectCommendation(ctx, input));
  }

  @Mutation(() => CommendationPayload, {
    description: "Record a supervisor's own commendation or award, verified on entry (SUPERVISOR).",
  })
  recordCommendation(@Arg("input") input: RecordCommendationInput, @Ctx() ctx: Context) {
    return payload(service.recordCommendation(ctx, input));
  }

  @FieldResolver(() => String, {
    // Nullable so that a caller refused it (an AUDITOR) still gets the rest of the list, not a null page.
    nullable: true,
    description:
      "What the officer did, in the citizen's or supervisor's words. INVESTIGATOR and SUPERVISOR only (null for others, with FORBIDDEN).",
  })
  narrative(@Root() c: CommendationRow, @Ctx() ctx: Context) {
    return readCitizenText(ctx, "commendations", c, "narrative_sealed", c.narrativeSealed);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "How the citizen described the officer, when no badge number was given. INVESTIGATOR and SUPERVISOR only.",
  })
  officerDescription(@Root() c: CommendationRow, @Ctx() ctx: Context) {
    return readCitizenText(
      ctx,
      "commendations",
      c,
      "officer_description",
      c.officerDescriptionSealed,
    );
  }

  @FieldResolver(() => CommendationSubmitter, {
    nullable: true,
    description:
      "The citizen who sent it; null for anonymous ones and supervisors' own. INVESTIGATOR and SUPERVISOR only.",
  })
  submitter(
    @Root() c: CommendationRow,
    @Ctx() { recordKeys, personalReads }: Context,
  ): CommendationSubmitter | null {
    if (!c.submitterNameSealed && !c.submitterEmailSealed && !c.submitterPhoneSealed) return null;
    personalReads.note("Commendation", c.id, true);
    const key = recordKeys.of("commendations", c);
    return {
      fullName: key.open("commendations", "submitter_name_sealed", c.id, c.submitterNameSealed),
      email: key.open("commendations", "submitter_email_sealed", c.id, c.submitterEmailSealed),
      phone: key.open("commendations", "submitter_phone_sealed", c.id, c.submitterPhoneSealed),
    };
  }

  @FieldResolver(() => Officer, {
    nullable: true,
    description: "The officer commended; null until identified.",
  })
  officer(@Root() c: CommendationRow, @Ctx() { loaders }: Context) {
    return c.officerId ? loaders.officerById.load(c.officerId) : null;
  }

  @FieldResolver(() => Unit, {
    nullable: true,
    description: "The officer's unit when it happened.",
  })
  unit(@Root() c: CommendationRow, @Ctx() { loaders }: Context) {
    return c.unitId ? loaders.unitById.load(c.unitId) : null;
  }

  @FieldResolver(() => Principal, {
    nullable: true,
    description: "The supervisor who verified or rejected it (or recorded it).",
  })
  reviewedBy(@Root() c: CommendationRow, @Ctx() { loaders }: Context) {
    return c.reviewedBy ? loaders.principalById.load(c.reviewedBy) : null;
  }
}
