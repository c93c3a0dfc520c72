import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { and, eq, isNull, sql } from "drizzle-orm";
import { verifyChain } from "../src/audit/audit.verify";
import { issuePrincipal } from "../src/auth/token";
import { rows, type Database } from "../src/db/client";
import { allegations, commendations, complaintEvents, complaints } from "../src/db/schema";
import { complaintId, submitComplaint } from "./helpers/complaints";
import { asFixture, fixtureActor, sealUnbound, testAuditKeys } from "./helpers/database";
import { openProcessDatabase, runCli, type ProcessDatabase } from "./helpers/audit";
import { callerAt, caseFile, marker } from "./helpers/intake";
import { startSenim } from "./helpers/process";
import { ok, type Caller } from "./helpers/server";

/**
 * Records stored before each complaint and commendation had its own data key, sealed when the server
 * starts; and `npm run keys:rotate`. Both through real processes on a database of their own.
 */

const COMMENDATIONS = `query Commendations {
  commendations(first: 100) {
    edges { node { trackingNumber narrative officerDescription submitter { fullName email } } }
  }
}`;

async function serve<T>(
  target: ProcessDatabase,
  env: Record<string, string>,
  work: (url: string) => Promise<T>,
): Promise<T> {
  const senim = await startSenim({ ...target.env, AUDIT_KEY: process.env.AUDIT_KEY!, ...env });
  try {
    return await work(`${senim.origin}/graphql`);
  } finally {
    await senim.stop();
  }
}

const KEYS = { ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS! };

let target: ProcessDatabase;
let investigatorToken: string;
beforeAll(async () => {
  target = await openProcessDatabase();
  investigatorToken = await target.use(
    async (database) =>
      (await issuePrincipal(database.db, fixtureActor(), { role: "INVESTIGATOR", name: "Ivan" }))
        .token,
  );
});
afterAll(() => target.drop());

describe("records stored before data keys", () => {
  const text = {
    narrative: marker("Legacy narrative"),
    fullName: marker("Legacy Name"),
    place: marker("Legacy place"),
    description: marker("Legacy officer description"),
    note: marker("Legacy case note"),
    commendation: marker("Legacy commendation narrative"),
    officerDescription: marker("Legacy commended officer"),
    submitter: marker("Legacy Submitter"),
  };
  const reason = "Complainant request under the personal-data law.";
  let kept: string;
  let erased: string;
  let commendationNumber: string;

  /** Rewrites a complaint as the service stored it before data keys: identity "v1"-sealed, the rest plain. */
  async function storeAsBefore(database: Database, id: string, erasedAt: Date | null) {
    await asFixture(database.db, async (tx) => {
      await tx
        .update(complaints)
        .set({
          dataKey: null,
          narrativeSealed: erasedAt ? "" : sealUnbound(text.narrative),
          complainantNameSealed: erasedAt ? null : sealUnbound(text.fullName),
          complainantEmailSealed: null,
          complainantPhoneSealed: null,
          incidentPlaceSealed: text.place,
          complainantErasedAt: erasedAt,
        })
        .where(eq(complaints.id, id));
      await tx
        .update(allegations)
        .set({ descriptionSealed: text.description })
        .where(eq(allegations.complaintId, id));
      await tx
        .update(complaintEvents)
        .set({ noteSealed: text.note })
        .where(and(eq(complaintEvents.complaintId, id), eq(complaintEvents.kind, "REGISTERED")));
      if (erasedAt)
        await tx.insert(complaintEvents).values({
          id: randomUUID(),
          complaintId: id,
          at: erasedAt,
          kind: "COMPLAINANT_DATA_ERASED",
          noteSealed: reason,
        });
    });
  }

  beforeAll(async () => {
    await serve(target, KEYS, async (url) => {
      const form = callerAt(url, null);
      const investigator = callerAt(url, investigatorToken);
      const submit = async () => {
        const { receipt } = await submitComplaint(form, {
          narrative: text.narrative,
          complainant: { fullName: text.fullName, type: "VICTIM" },
          incidentPlace: text.place,
          officers: [{ description: text.description }],
        });
        return complaintId(investigator, receipt.trackingNumber);
      };
      [kept, erased] = [await submit(), await submit()];
      commendationNumber = ok(
        await form.op("SubmitCommendation", {
          input: {
            idempotencyKey: randomUUID(),
            channel: "WEB_FORM",
            officer: { description: text.officerDescription },
            occurredAt: new Date(Date.now() - 86_400_000).toISOString(),
            narrative: text.commendation,
            submitter: { fullName: text.submitter },
          },
        }),
      ).submitCommendation.receipt.trackingNumber;
    });
    await target.use(async (database) => {
      await storeAsBefore(database, kept, null);
      await storeAsBefore(database, erased, new Date());
      await asFixture(database.db, (tx) =>
        tx
          .update(commendations)
          .set({
            dataKey: null,
            narrativeSealed: sealUnbound(text.commendation),
            submitterNameSealed: sealUnbound(text.submitter),
            officerDescriptionSealed: text.officerDescription,
          })
          .where(eq(commendations.trackingNumber, commendationNumber)),
      );
    });
  });

  it("are sealed under their own keys when the server starts, and read exactly as before", async () => {
    await serve(target, KEYS, async (url) => {
      const investigator: Caller = callerAt(url, investigatorToken);
      const file = await caseFile(investigator, kept);
      expect(file).toMatchObject({
        narrative: text.narrative,
        incidentPlace: text.place,
        complainant: { fullName: text.fullName },
      });
      expect(file.allegations[0].description).toBe(text.description);
      expect(file.timeline[0]).toMatchObject({ kind: "REGISTERED", note: text.note });
      const { commendations: found } = ok(await investigator.query(COMMENDATIONS));
      const nodes = found.edges.map((e: { node: { trackingNumber: string } }) => e.node);
      expect(
        nodes.find((n: { trackingNumber: string }) => n.trackingNumber === commendationNumber),
      ).toMatchObject({
        narrative: text.commendation,
        officerDescription: text.officerDescription,
        submitter: { fullName: text.submitter, email: null },
      });
    });
    await target.use(async (database) => {
      const [complaint] = await database.db
        .select()
        .from(complaints)
        .where(eq(complaints.id, kept));
      expect(complaint.dataKey).toMatch(/^v2\./);
      expect(complaint.narrativeSealed).toMatch(/^d1\./);
      expect(complaint.incidentPlaceSealed).toMatch(/^d1\./);
      for (const table of [complaints, commendations])
        expect(await database.db.select().from(table).where(isNull(table.dataKey))).toEqual([]);
      // Each batch is on the chain, naming the records it sealed.
      const [sealing] = await rows<{ records: string[] }>(
        database.db,
        sql`select records from audit_log where action = 'sealStoredData' and entity = 'Complaint'`,
      );
      expect(sealing.records).toEqual(expect.arrayContaining([kept, erased]));
      expect((await verifyChain(database.db, testAuditKeys())).ok).toBe(true);
    });
  });

  it("keep, for a complaint erased before, only the erasure reason", async () => {
    await serve(target, KEYS, async (url) => {
      const file = await caseFile(callerAt(url, investigatorToken), erased);
      expect(file).toMatchObject({
        narrative: null,
        incidentPlace: null,
        complainant: { fullName: null, email: null, phone: null },
      });
      expect(file.allegations.map((a: { description: unknown }) => a.description)).toEqual([null]);
      expect(
        file.timeline.map((e: { kind: string; note: string | null }) => [e.kind, e.note]),
      ).toEqual([
        ["REGISTERED", null],
        ["COMPLAINANT_DATA_ERASED", reason],
      ]);
    });
  });
});

describe("npm run keys:rotate", () => {
  it("re-wraps every data key under the new active key, so the old key can leave ENCRYPTION_KEYS", async () => {
    const [oldKey, newKey] = process.env.ENCRYPTION_KEYS!.split(",");
    const newId = newKey.split(":")[0];
    const narrative = marker("Narrative across a rotation");
    const id = await serve(target, KEYS, async (url) => {
      const { receipt } = await submitComplaint(callerAt(url, null), { narrative });
      return complaintId(callerAt(url, investigatorToken), receipt.trackingNumber);
    });

    const rotated = { ENCRYPTION_KEYS: `${newKey},${oldKey}` };
    const run = await runCli("keys-rotate", [], { ...target.env, ...rotated });
    expect(run).toMatchObject({ code: 0 });
    const report = JSON.parse(run.stdout);
    expect(report.activeKeyId).toBe(newId);
    expect(report.rewrapped.complaints).toBeGreaterThanOrEqual(1);
    expect(report.rewrapped.commendations).toBeGreaterThanOrEqual(1);

    await target.use(async (database) => {
      const wrapped = await rows<{ key_id: string }>(
        database.db,
        sql`select distinct split_part(data_key, '.', 2) as key_id from complaints
            union select distinct split_part(data_key, '.', 2) from commendations`,
      );
      expect(wrapped).toEqual([{ key_id: newId }]);
      expect((await verifyChain(database.db, testAuditKeys())).ok).toBe(true);
    });
    // Nothing left to do the second time.
    const again = JSON.parse(
      (await runCli("keys-rotate", [], { ...target.env, ...rotated })).stdout,
    );
    expect(again.rewrapped).toEqual({ complaints: 0, commendations: 0, receipts: 0 });

    // The old key is gone from the configuration, and every record still opens.
    await serve(target, { ENCRYPTION_KEYS: newKey }, async (url) => {
      expect((await caseFile(callerAt(url, investigatorToken), id)).narrative).toBe(narrative);
    });
  });
});
