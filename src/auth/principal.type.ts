import { Field, ID, ObjectType } from "type-graphql";
import { graphqlEnum } from "../common/enums";
import { ROLES } from "../db/schema";

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
  },
);
export type RoleEnum = keyof typeof RoleEnum;

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
}
