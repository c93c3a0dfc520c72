import type DataLoader from "dataloader";
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
import { asc } from "drizzle-orm";
import type { Context } from "../../context";
import { ranks, type OfficerRow } from "../../db/schema";
import {
  ItemFields,
  PageArgs,
  readPage,
  toConnection,
  type ConnectionShape,
} from "../../common/pagination";
import { selectedFields } from "../../common/selection";
import { problemsIn } from "../../common/validation";
import { badInput } from "../../errors";
import { Unit } from "../unit/unit.type";
import { AllegationConnection } from "../complaint/complaint.type";
import { CommendationConnection } from "../commendation/commendation.type";
import { DisciplinaryReview } from "../review/review.type";
import { OfficerStanding } from "../standing/standing.type";
import { checkHistoryCursor, type HistoryKey, type HistoryPage } from "./history.loader";
import {
  ChangeOfficerStatusInput,
  CreateOfficerInput,
  ImportOfficersInput,
  OfficerFilter,
  TransferOfficerInput,
} from "./officer.input";
import * as service from "./officer.service";
import { Assignment, Officer, OfficerConnection, Rank } from "./officer.type";

@ObjectType({ description: "The officer after the change." })
class OfficerPayload {
  @Field(() => Officer, { description: "The officer's record as it now stands." })
  officer: Officer;
}

@ObjectType({ description: "A problem with one roster row." })
class ImportRowError {
  @Field(() => Int, { description: "Row number, counting from 1 in the order sent." })
  row: number;

  @Field({ description: "The field at fault, e.g. rank or unitCode." })
  field: string;

  @Field({ description: "What is wrong, without repeating the value." })
  message: string;
}

@ObjectType({
  description:
    "Outcome of a roster import: either everything was written or, with errors, nothing.",
})
class ImportOfficersPayload {
  @Field(() => Int, { description: "Officers created." })
  created: number;

  @Field(() => Int, {
    description: "Existing officers (matched by badge number) updated from their row.",
  })
  updated: number;

  @Field(() => [ImportRowError], {
    description: "Every problem found; when any is listed nothing was written.",
  })
  errors: ImportRowError[];
}

const payload = (officer: Officer) => ({ officer });

/**
 * Validates an argument's own fields under its name ("filter.unitCode"), where the global validator
 * would say "input". Used for the roster too: it checks only the row count there, since each row is
 * checked by the service so that every bad row comes back as data instead of the first failing the call.
 */
const validateAs = (name: string) => async (value: unknown) => {
  if (value === null || typeof value !== "object") return;
  const [problem] = await problemsIn(value, name);
  if (problem) throw badInput(problem.field, problem.message);
};

@Resolver(() => Officer)
export class OfficerResolver {
  @Query(() => Officer, {
    description: "One officer by badge number; NOT_FOUND when there is none.",
  })
  officer(@Arg("badgeNumber") badgeNumber: string, @Ctx() ctx: Context) {
    return service.findOfficer(ctx, badgeNumber);
  }

  @Query(() => OfficerConnection, {
    description: "Officers matching a filter, ordered by badge number.",
  })
  officers(
    @Arg("filter", () => OfficerFilter, { nullable: true }) filter: OfficerFilter | null,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
  ) {
    return service.listOfficers(ctx, filter, page);
  }

  @Query(() => [Rank], {
    description: "Officer ranks in order of seniority, with names in kk, ru and en.",
  })
  ranks(@Ctx() { db }: Context) {
    return db.select().from(ranks).orderBy(asc(ranks.seniority));
  }

  @Mutation(() => OfficerPayload, {
    description: "Create an officer serving in a unit from their hiring date (ADMIN).",
  })
  async createOfficer(@Arg("input") input: CreateOfficerInput, @Ctx() ctx: Context) {
    return payload(await service.createOfficer(ctx, input));
  }

  @Mutation(() => ImportOfficersPayload, {
    description: "Create or update up to 1000 officers by badge number, all or nothing (ADMIN).",
  })
  importOfficers(
    @Arg("input", { validateFn: validateAs("input") }) input: ImportOfficersInput,
    @Ctx() ctx: Context,
  ) {
    return service.importOfficers(ctx, input);
  }

  @Mutation(() => OfficerPayload, {
    description: "Move an officer to another unit from a date, keeping history (ADMIN).",
  })
  async transferOfficer(@Arg("input") input: TransferOfficerInput, @Ctx() ctx: Context) {
    return payload(await service.transferOfficer(ctx, input));
  }

  @Mutation(() => OfficerPayload, {
    description: "Change an officer's service status, with a reason (ADMIN).",
  })
  async changeOfficerStatus(@Arg("input") input: ChangeOfficerStatusInput, @Ctx() ctx: Context) {
    return payload(await service.changeOfficerStatus(ctx, input));
  }

  @FieldResolver(() => Unit, { description: "The unit the officer serves in today." })
  async unit(@Root() officer: OfficerRow, @Ctx() { loaders, today }: Context) {
    // Read from the same batch as `assignments`, so both ask for their units in one statement
    // whichever order the database answers in.
    const current = (await loaders.assignmentsByOfficerId.load(officer.id)).findLast(
      (a) => a.fromDate <= today,
    );
    return current ? loaders.unitById.load(current.unitId) : null;
  }

  @FieldResolver(() => [Assignment], {
    description: "Every unit the officer has served in, oldest first.",
  })
  async assignments(@Root() officer: OfficerRow, @Ctx() { loaders }: Context) {
    const rows = await loaders.assignmentsByOfficerId.load(officer.id);
    return rows.map((a) => ({ unitId: a.unitId, from: a.fromDate, to: a.toDate }));
  }

  @FieldResolver(() => OfficerStanding, {
    description: "The officer's standing (see officerStanding).",
  })
  standing(
    @Root() officer: OfficerRow,
    @Ctx() { loaders }: Context,
    @Info() info: GraphQLResolveInfo,
  ) {
    return loaders.standingWith(officer.id, selectedFields(info));
  }

  @FieldResolver(() => AllegationConnection, {
    description: "Allegations naming the officer, newest first.",
  })
  allegations(
    @Root() officer: OfficerRow,
    @Args() args: PageArgs,
    @Ctx() { loaders }: Context,
    @ItemFields() items: ReadonlySet<string> | null,
  ) {
    return historyConnection(loaders.allegationsByOfficer, officer.id, args, items);
  }

  @FieldResolver(() => CommendationConnection, {
    description: "Commendations of the officer (every status), newest first.",
  })
  commendations(
    @Root() officer: OfficerRow,
    @Args() args: PageArgs,
    @Ctx() { loaders }: Context,
    @ItemFields() items: ReadonlySet<string> | null,
  ) {
    return historyConnection(loaders.commendationsByOfficer, officer.id, args, items);
  }

  @FieldResolver(() => [DisciplinaryReview], {
    description: "The officer's disciplinary reviews, oldest first.",
  })
  reviews(@Root() officer: OfficerRow, @Ctx() { loaders }: Context) {
    return loaders.reviewsByOfficerId.load(officer.id);
  }
}

@Resolver(() => Assignment)
export class AssignmentResolver {
  @FieldResolver(() => Unit, { description: "The unit served in." })
  unit(@Root() assignment: { unitId: string }, @Ctx() { loaders }: Context) {
    return loaders.unitById.load(assignment.unitId);
  }
}

/**
 * A page of the officer's history from its loader: none of its rows are read when the client asked only for
 * the total (a roster's commendation count), and only some of their columns when it asked for few fields.
 */
async function historyConnection<Row>(
  loader: DataLoader<HistoryKey, HistoryPage<Row>, string>,
  officerId: string,
  args: PageArgs,
  items: ReadonlySet<string> | null,
): Promise<ConnectionShape<Row>> {
  const page = readPage(args);
  checkHistoryCursor(page);
  const result = await loader.load({
    officerId,
    page: items ? page : { ...page, limit: 0 },
    fields: items ?? new Set(),
  });
  return toConnection(
    result.rows,
    result.page,
    (row) => row.orderKey,
    async () => result.total,
  );
}
