import { IsOptional, Length, Matches } from "class-validator";
import {
  Arg,
  Ctx,
  Field,
  FieldResolver,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  Root,
} from "type-graphql";
import type { Context } from "../context";
import { notFound } from "../errors";
import { Channel } from "../modules/complaint/complaint.type";
import { Principal, PrincipalStatus, RoleEnum } from "./principal.type";
import { approveApiToken, issueApiToken, revokeApiToken } from "./token.service";
import { principalStatus } from "./token";
import { isUuid } from "../common/ids";

@InputType({ description: "A new API token for a person or system." })
export class IssueApiTokenInput {
  @Field(() => RoleEnum, {
    description:
      "What the token may do. INVESTIGATOR, SUPERVISOR and AUDITOR tokens are PENDING until a SUPERVISOR other than the issuer approves them (approveApiToken); the others are ACTIVE at once.",
  })
  role: RoleEnum;

  @Field({ description: "Who or what will hold it, 2 to 200 characters." })
  @Length(2, 200, { message: "name must be 2 to 200 characters" })
  // The audit trail names principals by this: a blank or padded name would identify nobody.
  @Matches(/^[^\p{Cc}\s](?:[^\p{Cc}]*[^\p{Cc}\s])?$/u, {
    message: "name must be printable text without leading or trailing spaces",
  })
  name: string;

  @Field(() => Date, {
    nullable: true,
    description:
      "When the token stops working: in the future and at most 365 days ahead; 90 days from now when absent.",
  })
  @IsOptional()
  expiresAt?: Date | null;

  @Field(() => Channel, {
    nullable: true,
    description:
      "Required for an INTAKE token, refused for any other: the one channel its submissions may name, so that a portal cannot register complaints as another channel.",
  })
  @IsOptional()
  channel?: Channel | null;
}

@ObjectType({ description: "A new token: shown this once, stored only as a hash." })
class IssueApiTokenPayload {
  @Field({ description: "The bearer token. Keep it secret; it cannot be shown again." })
  token: string;

  @Field(() => Principal, {
    description: "The principal the token belongs to; its status says whether it works yet.",
  })
  principal: Principal;
}

@ObjectType({ description: "Result of approveApiToken." })
class ApproveApiTokenPayload {
  @Field(() => Principal, { description: "The approved principal, now ACTIVE." })
  principal: Principal;
}

@ObjectType({ description: "Result of revokeApiToken." })
class RevokeApiTokenPayload {
  @Field({ description: "True once the principal's token no longer works." })
  revoked: boolean;
}

@Resolver()
export class TokenResolver {
  @Query(() => Principal, { description: "The principal whose token made this request." })
  me(@Ctx() { principal }: Context) {
    return principal;
  }

  @Mutation(() => IssueApiTokenPayload, {
    description:
      "Issue a token (ADMIN). Casework roles (INVESTIGATOR, SUPERVISOR, AUDITOR) come back PENDING and work only once another person, a SUPERVISOR, approves them.",
  })
  issueApiToken(@Arg("input") input: IssueApiTokenInput, @Ctx() ctx: Context) {
    return issueApiToken(ctx, input);
  }

  @Mutation(() => ApproveApiTokenPayload, {
    description:
      "Activate a PENDING token (SUPERVISOR, not its issuer). FORBIDDEN for the token's issuer or holder; INVALID_STATE unless it is PENDING.",
  })
  approveApiToken(@Arg("principalId", () => ID) principalId: string, @Ctx() ctx: Context) {
    if (!isUuid(principalId)) throw notFound("Principal");
    return approveApiToken(ctx, principalId);
  }

  @Mutation(() => RevokeApiTokenPayload, {
    description: "Revoke a principal's token at once (ADMIN).",
  })
  revokeApiToken(@Arg("principalId", () => ID) principalId: string, @Ctx() ctx: Context) {
    if (!isUuid(principalId)) throw notFound("Principal");
    return revokeApiToken(ctx, principalId);
  }
}

@Resolver(() => Principal)
export class PrincipalResolver {
  @FieldResolver(() => PrincipalStatus, {
    description:
      "ACTIVE (the token works), PENDING (waiting for a supervisor's approval), REVOKED or EXPIRED; as of this request.",
  })
  status(@Root() principal: Principal, @Ctx() { now }: Context): PrincipalStatus {
    return principalStatus(principal, now);
  }
}
