import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, Info, Query, Resolver, Root } from "type-graphql";
import type { Context } from "../../context";
import { DateScalar } from "../../common/scalars";
import { Unit } from "../unit/unit.type";
import * as service from "./metrics.service";
import { MetricsInterval, TrustMetrics } from "./metrics.type";
import { selectedFields } from "../../common/selection";

@Resolver(() => TrustMetrics)
export class MetricsResolver {
  @Query(() => TrustMetrics, {
    description:
      "Trust figures for a unit (MVD for the nation, a region or a district) and everything below it over [from, to), at most 10 years. Public, with small-cell suppression, for one whole calendar month, quarter or year only; exact readers (ANALYST and above) may ask any period.",
  })
  trustMetrics(
    @Arg("unitCode", { description: "The unit's code." }) unitCode: string,
    @Arg("from", () => DateScalar, { description: "First day of the period." }) from: string,
    @Arg("to", () => DateScalar, { description: "Day after the last day of the period." })
    to: string,
    @Ctx() ctx: Context,
  ) {
    return service.trustMetrics(ctx, unitCode, from, to);
  }

  @Query(() => [TrustMetrics], {
    description:
      "One point per calendar month, quarter or year of [from, to), at most 120 points. Public, with small-cell suppression, for whole intervals only; exact readers (ANALYST and above) may ask any period, its first and last points clipped to it.",
  })
  trustMetricsSeries(
    @Arg("unitCode", { description: "The unit's code." }) unitCode: string,
    @Arg("from", () => DateScalar, { description: "First day of the period." }) from: string,
    @Arg("to", () => DateScalar, { description: "Day after the last day of the period." })
    to: string,
    @Arg("interval", () => MetricsInterval, { description: "Length of each point." })
    interval: MetricsInterval,
    @Ctx() ctx: Context,
  ) {
    return service.trustMetricsSeries(ctx, unitCode, from, to, interval);
  }

  @FieldResolver(() => Unit, { description: "The unit; its figures include every unit below it." })
  unit(@Root() metrics: TrustMetrics, @Ctx() { loaders }: Context) {
    return metrics.unit ?? loaders.unitById.load(metrics.unitId);
  }

  @FieldResolver(() => [TrustMetrics], {
    description: "The same figures for each child unit, by code.",
  })
  children(@Root() metrics: TrustMetrics, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return service.childMetrics(ctx, metrics, selectedFields(info));
  }
}
