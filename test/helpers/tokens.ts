import type { Role } from "../../src/db/schema";
import { unique } from "./factories";
import { ok, type TestServer } from "./server";

export interface IssuedToken {
  token: string;
  principal: {
    id: string;
    name: string;
    role: Role;
    status: "ACTIVE" | "PENDING" | "REVOKED" | "EXPIRED";
    expiresAt: string;
  };
}

export interface TokenRequest {
  role: Role;
  name?: string;
  expiresAt?: string | null;
  channel?: string | null;
}

/** issueApiToken as the file's ADMIN (an INTAKE token bound to EOTINISH unless told): the payload. */
export async function issueThroughApi(t: TestServer, input: TokenRequest): Promise<IssuedToken> {
  const admin = await t.as("ADMIN");
  const channel = input.role === "INTAKE" ? "EOTINISH" : undefined;
  const { issueApiToken } = ok(
    await admin.op("IssueApiToken", {
      input: { name: `Token ${unique("N")}`, channel, ...input },
    }),
  );
  return issueApiToken as IssuedToken;
}

/**
 * A token issued through the API and, when it waits for approval (INVESTIGATOR, SUPERVISOR, AUDITOR),
 * approved by the file's SUPERVISOR, the second person: ready to use, as a deployment would have it.
 */
export async function issueApproved(t: TestServer, input: TokenRequest): Promise<IssuedToken> {
  const issued = await issueThroughApi(t, input);
  if (issued.principal.status !== "PENDING") return issued;
  const supervisor = await t.as("SUPERVISOR");
  const { approveApiToken } = ok(
    await supervisor.op("ApproveApiToken", { principalId: issued.principal.id }),
  );
  return { token: issued.token, principal: { ...issued.principal, ...approveApiToken.principal } };
}
