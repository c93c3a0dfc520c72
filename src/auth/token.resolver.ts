import { IsOptional, Length, Matches } from "class-validator";
import {
  Arg,
  Ctx,
  Field,
  ID,
  InputType,
  Mutation,
  ObjectType,
  Query,
  Resolver,
} from "type-graphql";
import type { Context } from "../context";
import { notFound } from "../errors";
import { Principal, RoleEnum } from "./principal.type";
import { issueApiToken, revokeApiToken } from "./token.service";
import { isUuid } from "../common/ids";

@InputType({ description: "A new API token for a person or system." })
export class IssueApiTokenInput {
  @Field(() => RoleEnum, { description: "What the token may do." })
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
    description: "When the token stops working; never when absent.",
  })
  @IsOptional()
  expiresAt?: Date | null;
}

@ObjectType({ description: "A new token: shown this once, stored only as a hash." })
class IssueApiTokenPayload {
  @Field({ description: "The bearer token. Keep it secret; it cannot be shown again." })
  token: string;

  @Field(() => Principal, { description: "The principal the token belongs to." })
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

  @Mutation(() => IssueApiTokenPayload, { description: "Issue a token for any role (ADMIN)." })
  issueApiToken(@Arg("input") input: IssueApiTokenInput, @Ctx() ctx: Context) {
    return issueApiToken(ctx, input);
  }

  @Mutation(() => RevokeApiTokenPayload, {
    description: "Revoke a principal's token at once (ADMIN).",
  })
  revokeApiToken(@Arg("principalId", () => ID) principalId: string, @Ctx() ctx: Context) {
    if (!isUuid(principalId)) throw notFound("Principal");
    return revokeApiToken(ctx, principalId);
  }
}
