import type { GraphQLResolveInfo } from "graphql";
import {
  Arg,
  Args,
  Ctx,
  Field,
  FieldResolver,
  Info,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import { selectedFields } from "../../common/selection";
import type { Context } from "../../context";
import { PageArgs } from "../../common/pagination";
import { Officer } from "../officer/officer.type";
import { SetEarlyWarningRuleInput } from "./standing.input";
import * as service from "./standing.service";
import {
  EarlyWarning,
  EarlyWarningRule,
  OfficerStanding,
  OfficerStandingConnection,
  Sanction,
  Standing,
} from "./standing.type";

@ObjectType({ description: "Result of setEarlyWarningRule." })
class SetEarlyWarningRulePayload {
  @Field(() => EarlyWarningRule, { description: "The rule as it now stands." })
  rule: EarlyWarningRule;
}

@Resolver(() => OfficerStanding)
export class StandingResolver {
  @Query(() => OfficerStanding, {
    description: "One officer's standing and what it rests on; NOT_FOUND for an unknown badge.",
  })
  officerStanding(
    @Arg("badgeNumber") badgeNumber: string,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    const officerFields = selectedFields(info, ["officer"]);
    return service.officerStanding(
      ctx,
      badgeNumber,
      selectedFields(info),
      officerFields.has("unit") || officerFields.has("assignments"),
    );
  }

  @Query(() => OfficerStandingConnection, {
    description:
      "Standings of everyone serving today in a unit and all units below it (default MVD: the whole force), by badge number.",
  })
  officerStandings(
    @Arg("unitCode", () => String, { nullable: true }) unitCode: string | null,
    @Arg("standing", () => Standing, { nullable: true }) standing: Standing | null,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
  ) {
    return service.officerStandings(ctx, unitCode, standing, page);
  }

  @Query(() => [EarlyWarningRule], { description: "The early-warning rules, by code." })
  earlyWarningRules(@Ctx() ctx: Context) {
    return service.listEarlyWarningRules(ctx);
  }

  @Mutation(() => SetEarlyWarningRulePayload, {
    description: "Create or replace an early-warning rule (SUPERVISOR).",
  })
  async setEarlyWarningRule(@Arg("input") input: SetEarlyWarningRuleInput, @Ctx() ctx: Context) {
    return { rule: await service.setEarlyWarningRule(ctx, input) };
  }

  @FieldResolver(() => Officer, { description: "The officer." })
  officer(@Root() standing: OfficerStanding, @Ctx() { loaders }: Context) {
    return loaders.officerById.load(standing.officerId);
  }

  @FieldResolver(() => [Sanction], { description: "Sanctions in force today." })
  activeSanctions(@Root() standing: OfficerStanding, @Ctx() { loaders }: Context) {
    return loaders.sanctionsByOfficerId.load(standing.officerId);
  }

  @FieldResolver(() => Int, {
    description: "Allegations naming the officer in complaints not yet closed.",
  })
  openInvestigations(@Root() standing: OfficerStanding, @Ctx() { loaders }: Context) {
    return loaders.openInvestigationsByOfficerId.load(standing.officerId);
  }

  @FieldResolver(() => Int, {
    description: "SUSTAINED allegations in complaints registered in the last 365 days.",
  })
  sustainedAllegations12m(@Root() standing: OfficerStanding, @Ctx() { loaders }: Context) {
    return loaders.sustainedAllegations12mByOfficerId.load(standing.officerId);
  }

  @FieldResolver(() => Int, {
    description: "VERIFIED commendations for conduct in the last 365 days.",
  })
  commendations12m(@Root() standing: OfficerStanding, @Ctx() { loaders }: Context) {
    return loaders.commendations12mByOfficerId.load(standing.officerId);
  }

  @FieldResolver(() => [EarlyWarning], {
    description: "Early-warning rules that fire, with their counts.",
  })
  earlyWarnings(@Root() standing: OfficerStanding, @Ctx() { loaders }: Context) {
    return loaders.earlyWarningsByOfficerId.load(standing.officerId);
  }
}
