import { Field, ID, ObjectType } from "type-graphql";
import { graphqlEnum } from "../common/enums";
import { ROLES } from "../db/schema";
import { Channel } from "../modules/complaint/complaint.type";
import { PRINCIPAL_STATUSES } from "./token";

export const RoleEnum = graphqlEnum(
  ROLES,
  "Role",
  "What a token may do (see the README's role table).",
  {
    INVESTIGATOR: {
      description:
        "Internal-affairs staff: work complaints, allegations, commendations and reviews.",
    },
    SUPERVISOR: {
      description:
        "Head of internal affairs or review board: final findings and every disciplinary decision.",
    },
    HR: {
      description: "Personnel systems: officers, units and standing; never complaint contents.",
    },
    ANALYST: {
      description:
        "Statisticians and oversight bodies: unsuppressed metrics; no individual records.",
    },
    AUDITOR: {
      description:
        "Prosecutors' oversight: read everything except complainant data; the audit trail.",
    },
    ADMIN: {
      description: "System administrators: units, officers and API tokens; no complaint contents.",
    },
    INTAKE: {
      description:
        "Integration channels submitting for many citizens (eOtinish, eGov, 102, Telegram): the public operations only, limited per token; bound to one channel.",
    },
  },
);
export type RoleEnum = keyof typeof RoleEnum;

export const PrincipalStatus = graphqlEnum(
  PRINCIPAL_STATUSES,
  "PrincipalStatus",
  "Whether a principal's token works now. Only ACTIVE tokens authenticate; any other is answered UNAUTHENTICATED, as an unknown token is.",
  {
    ACTIVE: { description: "The token works until expiresAt." },
    PENDING: {
      description:
        "An INVESTIGATOR, SUPERVISOR or AUDITOR token issued through the API, waiting for a SUPERVISOR other than its issuer to call approveApiToken.",
    },
    REVOKED: { description: "Revoked by revokeApiToken; it never works again." },
    EXPIRED: { description: "Past expiresAt; it never works again (issue a new token)." },
  },
);
export type PrincipalStatus = keyof typeof PrincipalStatus;

@ObjectType({ description: "A holder of an API token: a person or a connected system." })
export class Principal {
  @Field(() => ID, {
    description: "Stable identifier, used by revokeApiToken and the audit trail.",
  })
  id: string;

  @Field({ description: "Who or what holds the token." })
  name: string;

  @Field(() => RoleEnum, { description: "What the token may do." })
  role: RoleEnum;

  @Field({
    description:
      "When the token stops working, set when it was issued: 90 days ahead unless asked otherwise, never more than 365.",
  })
  expiresAt: Date;

  @Field(() => Channel, {
    nullable: true,
    description:
      "For an INTAKE token, the one channel its submissions must name; null for every other role.",
  })
  channel: Channel | null;

  revokedAt: Date | null;
  activatedAt: Date | null;
}
