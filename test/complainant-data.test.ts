import "reflect-metadata";
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import { issuePrincipal } from "../src/auth/token";
import { loadConfig } from "../src/config";
import { rewrapRecordKey } from "../src/crypto/data-keys";
import { KeyRing } from "../src/crypto/keyring";
import { complaints } from "../src/db/schema";
import { createLogger } from "../src/logger";
import { createSenimServer } from "../src/server";
import { complaintId, complaintInput, submitComplaint } from "./helpers/complaints";
import { onPostgres, asFixture, complaintKey, fixtureActor } from "./helpers/database";
import { createOfficer } from "./helpers/factories";
import {
  allegationRows,
  callerAt,
  caseFile,
  closeWithoutFinding,
  complaintRow,
  complaintsAt,
  databaseDump,
  foundIn,
  marker,
  publicStatus,
  rowsMentioning,
} from "./helpers/intake";
import { startLoggedServer } from "./helpers/logged-server";
import { errorOf, ok, startTestServer, type Caller, type TestServer } from "./helpers/server";

let t: TestServer;
let investigator: Caller;
let supervisor: Caller;
beforeAll(async () => {
  t = await startTestServer();
  investigator = await t.as("INVESTIGATOR");
  supervisor = await t.as("SUPERVISOR");
});
afterAll(() => t.close());

/** The test key ring's keys, as globalSetup configured them: "test-a" (active) and "test-b". */
const testKeys = () =>
  process.env.ENCRYPTION_KEYS!.split(",").map((part) => {
    const [id, material] = part.split(":");
    return { id, key: Buffer.from(material, "base64") };
  });

/** A complainant whose every detail is unique to one test, so its traces can be searched for. */
function personalData() {
  const tag = randomBytes(5).toString("hex");
  return {
    fullName: `Aigerim Marker${tag}`,
    email: `aigerim.${tag}@example.kz`,
    phone: `+7701${String(parseInt(tag.slice(0, 7), 16) % 10_000_000).padStart(7, "0")}`,
    narrative: `On the night of the incident narrative-${tag} the officer shouted at me.`,
  };
}

async function complaintWith(data = personalData(), overrides: Record<string, unknown> = {}) {
  const { input, receipt } = await submitComplaint(t.public, {
    narrative: data.narrative,
    complainant: { fullName: data.fullName, email: data.email, phone: data.phone, type: "VICTIM" },
    ...overrides,
  });
  return { data, input, receipt, id: await complaintId(investigator, receipt.trackingNumber) };
}

const SENSITIVE = `query Sensitive($id: ID!) {
  complaint(id: $id) { trackingNumber narrative complainant { fullName email phone type } }
}`;

describe("encryption at rest", () => {
  it("seals everything the complainant typed under the complaint's own key, bound to its place", async () => {
    const place = marker("Incident place");
    const description = marker("The tall one next to");
    const { data, receipt, id } = await complaintWith(personalData(), {
      incidentPlace: place,
      officers: [{ description }],
    });
    const row = await complaintRow(t.database.db, receipt.trackingNumber);
    // The data key is wrapped by the ring's active key, and only the wrapped form is stored.
    expect(row.dataKey).toMatch(/^v2\.test-a\.[\w-]+\.[\w-]+\.[\w-]+$/);
    const key = complaintKey(row);
    const sealed = {
      fullName: ["complainant_name_sealed", row.complainantNameSealed],
      email: ["complainant_email_sealed", row.complainantEmailSealed],
      phone: ["complainant_phone_sealed", row.complainantPhoneSealed],
      narrative: ["narrative_sealed", row.narrativeSealed],
      place: ["incident_place", row.incidentPlaceSealed],
    } as const;
    const expected = { ...data, place };
    for (const [field, [column, value]] of Object.entries(sealed)) {
      expect(value).toMatch(/^d1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(key.open("complaints", column, id, value)).toBe(
        expected[field as keyof typeof expected],
      );
    }
    const [allegation] = await allegationRows(t.database.db, id);
    expect(allegation.descriptionSealed).toMatch(/^d1\./);
    expect(
      key.open("allegations", "description", allegation.id, allegation.descriptionSealed),
    ).toBe(description);
    expect(JSON.stringify(row)).not.toContain(data.fullName);
  });

  it("seals the same text differently each time (a fresh nonce per value)", async () => {
    const data = personalData();
    const first = await complaintWith(data);
    const second = await complaintWith(data);
    const a = await complaintRow(t.database.db, first.receipt.trackingNumber);
    const b = await complaintRow(t.database.db, second.receipt.trackingNumber);
    expect(a.complainantNameSealed).not.toBe(b.complainantNameSealed);
    expect(a.narrativeSealed).not.toBe(b.narrativeSealed);
    expect(a.dataKey).not.toBe(b.dataKey);
  });

  it("leaves no citizen text, staff note, feedback comment or access code in a dump of the database", async () => {
    const data = personalData();
    const place = marker("Dump place");
    const description = marker("Dump officer description");
    const note = marker("Dump case note");
    const comment = marker("Feedback comment");
    const { receipt, id } = await complaintWith(data, {
      incidentPlace: place,
      officers: [{ description }],
    });
    const { version } = await caseFile(investigator, id);
    ok(
      await investigator.op("AddCaseNote", {
        input: { complaintId: id, expectedVersion: version, note },
      }),
    );
    await closeWithoutFinding(investigator, id);
    ok(
      await t.public.op("SubmitComplaintFeedback", {
        input: {
          trackingNumber: receipt.trackingNumber,
          accessCode: receipt.accessCode,
          rating: 2,
          comment,
        },
      }),
    );

    const dump = await databaseDump(t.database);

    // The tracking number is stored as written: it shows the search finds plaintext.
    expect(foundIn(dump, [receipt.trackingNumber])).toEqual([receipt.trackingNumber]);
    const secrets = [
      data.fullName,
      data.email,
      data.phone,
      data.narrative,
      place,
      description,
      note,
      comment,
      receipt.accessCode,
      receipt.accessCode.replace(/-/g, ""),
    ];
    expect(foundIn(dump, secrets)).toEqual([]);
  });

  it("refuses a sealed value moved to another row or column, and a data key moved to another complaint", async () => {
    const a = await complaintWith();
    const b = await complaintWith();
    const rowA = await complaintRow(t.database.db, a.receipt.trackingNumber);
    const moves = [
      { narrativeSealed: rowA.narrativeSealed },
      { complainantNameSealed: rowA.complainantEmailSealed },
      { dataKey: rowA.dataKey, narrativeSealed: rowA.narrativeSealed },
    ];
    for (const move of moves) {
      const rowB = await complaintRow(t.database.db, b.receipt.trackingNumber);
      await asFixture(t.database.db, (tx) =>
        tx.update(complaints).set(move).where(eq(complaints.id, b.id)),
      );
      const result = await investigator.query(SENSITIVE, { id: b.id });
      expect(result.errors?.[0]?.extensions.code).toBe("INTERNAL_SERVER_ERROR");
      expect(JSON.stringify(result)).not.toContain(a.data.narrative);
      expect(JSON.stringify(result)).not.toContain(a.data.email);
      await asFixture(t.database.db, (tx) =>
        tx
          .update(complaints)
          .set({
            dataKey: rowB.dataKey,
            narrativeSealed: rowB.narrativeSealed,
            complainantNameSealed: rowB.complainantNameSealed,
          })
          .where(eq(complaints.id, b.id)),
      );
    }
    expect((await caseFile(investigator, b.id)).narrative).toBe(b.data.narrative);
  });

  it("reads data keys wrapped by any configured key, so the active key can rotate", async () => {
    const { id, data, receipt } = await complaintWith();
    const row = await complaintRow(t.database.db, receipt.trackingNumber);
    const rotated = new KeyRing(testKeys(), "test-b");
    const rewrapped = rewrapRecordKey(rotated, "complaints", id, row.dataKey!);
    expect(rewrapped).toMatch(/^v2\.test-b\./);
    await asFixture(t.database.db, (tx) =>
      tx.update(complaints).set({ dataKey: rewrapped }).where(eq(complaints.id, id)),
    );

    const file = await caseFile(investigator, id);
    expect(file.narrative).toBe(data.narrative);
    expect(file.complainant.fullName).toBe(data.fullName);
  });

  it("keeps old complaints readable after a rotation, and wraps new keys with the new active key", async () => {
    const before = await complaintWith();
    // The same database served with the keys swapped: test-b is now active, test-a still listed.
    const config = loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS!.split(",").reverse().join(","),
      // Without it the server keys its records with a key of its own, which breaks the shared chain.
      AUDIT_KEY: process.env.AUDIT_KEY,
    });
    const server = await createSenimServer({
      database: t.database,
      config,
      log: createLogger("silent"),
    });
    try {
      const url = `http://127.0.0.1:${await server.listen(0, "127.0.0.1")}/graphql`;
      const rotatedInvestigator = callerAt(url, investigator.token, investigator.principalId);
      const after = personalData();
      const { receipt } = await submitComplaint(callerAt(url, null), {
        narrative: after.narrative,
        complainant: {
          fullName: after.fullName,
          email: after.email,
          phone: after.phone,
          type: "WITNESS",
        },
      });

      expect((await caseFile(rotatedInvestigator, before.id)).complainant.fullName).toBe(
        before.data.fullName,
      );
      const row = await complaintRow(t.database.db, receipt.trackingNumber);
      expect(row.dataKey).toMatch(/^v2\.test-b\./);
      // The original server (test-a active, test-b listed) reads what the rotated one sealed.
      const file = await caseFile(
        investigator,
        await complaintId(investigator, receipt.trackingNumber),
      );
      expect(file).toMatchObject({
        narrative: after.narrative,
        complainant: { fullName: after.fullName, email: after.email, phone: after.phone },
      });
    } finally {
      await server.close();
    }
  });
});

describe("KeyRing", () => {
  const key = () => randomBytes(32).toString("base64");
  const place = "complaints.narrative_sealed:00000000-0000-4000-8000-000000000001";

  it("opens what it sealed, and refuses a value that was tampered with", () => {
    const ring = KeyRing.parse(`one:${key()},two:${key()}`);
    const sealed = ring.seal("Айгерім 👮 \u202Etext", place);
    expect(sealed.startsWith("v2.one.")).toBe(true);
    expect(ring.open(sealed, place)).toBe("Айгерім 👮 \u202Etext");

    const parts = sealed.split(".");
    const body = Buffer.from(parts[4], "base64url");
    body[0] ^= 1;
    expect(() =>
      ring.open([...parts.slice(0, 4), body.toString("base64url")].join("."), place),
    ).toThrow();
    expect(() => ring.open(sealed.replace("v2.one.", "v2.two."), place)).toThrow();
  });

  it("opens a value only at the place it was sealed for", () => {
    const ring = KeyRing.parse(`one:${key()}`);
    const sealed = ring.seal("secret", place);
    expect(() => ring.open(sealed, place.replace("0001", "0002"))).toThrow();
    expect(() => ring.open(sealed, place.replace("narrative", "complainant_name"))).toThrow();
    const { dataKey } = ring.newDataKey("complaints.data_key:x");
    const byKey = dataKey.seal("secret", place);
    expect(byKey.startsWith("d1.")).toBe(true);
    expect(dataKey.open(byKey, place)).toBe("secret");
    expect(() => dataKey.open(byKey, `${place}0`)).toThrow();
  });

  it("refuses a value whose authentication tag was cut short", () => {
    // GCM checks only as many tag bytes as it is given: a 4-byte tag is forged in 2^32 tries.
    const ring = KeyRing.parse(`one:${key()}`);
    const parts = ring.seal("secret", place).split(".");
    const short = Buffer.from(parts[3], "base64url").subarray(0, 4).toString("base64url");
    expect(() => ring.open([...parts.slice(0, 3), short, parts[4]].join("."), place)).toThrow(
      /authentication tag/,
    );
    const { dataKey } = ring.newDataKey("complaints.data_key:x");
    const [version, iv, tag, body] = dataKey.seal("secret", place).split(".");
    const cut = Buffer.from(tag, "base64url").subarray(0, 4).toString("base64url");
    expect(() => dataKey.open([version, iv, cut, body].join("."), place)).toThrow(
      /authentication tag/,
    );
  });

  it("cannot open a value sealed with a key it does not hold", () => {
    const sealed = KeyRing.parse(`old:${key()}`).seal("secret", place);
    expect(() => KeyRing.parse(`new:${key()}`).open(sealed, place)).toThrow(/unknown key "old"/);
  });

  it.each([
    ["no key", ""],
    ["a key that is not 32 bytes", `short:${randomBytes(16).toString("base64")}`],
    ["a key without an id", `:${randomBytes(32).toString("base64")}`],
    ["an id with spaces", `my key:${randomBytes(32).toString("base64")}`],
    [
      "two keys with one id",
      `same:${randomBytes(32).toString("base64")},same:${randomBytes(32).toString("base64")}`,
    ],
  ])("refuses a configuration with %s", (_, spec) => {
    expect(() => KeyRing.parse(spec)).toThrow();
  });

  it("refuses ENCRYPTION_KEYS that cannot be used, naming the variable but not the key", () => {
    const material = randomBytes(16).toString("base64");
    expect(() => loadConfig({ NODE_ENV: "test", ENCRYPTION_KEYS: `bad:${material}` })).toThrow(
      /ENCRYPTION_KEYS/,
    );
    try {
      loadConfig({ NODE_ENV: "test", ENCRYPTION_KEYS: `bad:${material}` });
    } catch (e) {
      expect((e as Error).message).not.toContain(material);
    }
  });
});

describe("who sees complainant data", () => {
  let id: string;
  let data: ReturnType<typeof personalData>;
  beforeAll(async () => ({ id, data } = await complaintWith()));

  it.each(["INVESTIGATOR", "SUPERVISOR"] as const)("shows it to %s", async (role) => {
    const { complaint } = ok(await (await t.as(role)).query(SENSITIVE, { id }));
    expect(complaint).toMatchObject({
      narrative: data.narrative,
      complainant: {
        fullName: data.fullName,
        email: data.email,
        phone: data.phone,
        type: "VICTIM",
      },
    });
  });

  it("lets an AUDITOR read the case but not the complainant or the narrative", async () => {
    const result = await (await t.as("AUDITOR")).query(SENSITIVE, { id });
    expect(result.data?.complaint).toEqual({
      trackingNumber: expect.any(String),
      narrative: null,
      complainant: null,
    });
    expect(result.errors?.map((e) => e.extensions.code)).toEqual(["FORBIDDEN", "FORBIDDEN"]);
    for (const value of Object.values(data)) expect(JSON.stringify(result)).not.toContain(value);
  });

  it.each(["HR", "ANALYST", "ADMIN"] as const)(
    "refuses %s the complaint altogether",
    async (role) => {
      const result = await (await t.as(role)).query(SENSITIVE, { id });
      expect(errorOf(result)).toEqual({ code: "FORBIDDEN" });
      for (const value of Object.values(data)) expect(JSON.stringify(result)).not.toContain(value);
    },
  );

  it("refuses the public, who see only the status view", async () => {
    const result = await t.public.query(SENSITIVE, { id });
    expect(errorOf(result)).toEqual({ code: "UNAUTHENTICATED" });
    for (const value of Object.values(data)) expect(JSON.stringify(result)).not.toContain(value);
  });

  it("keeps it out of audit records and the timeline", async () => {
    const { data: own, id: ownId } = await complaintWith();
    await (await t.as("AUDITOR")).query(SENSITIVE, { id: ownId });
    await investigator.query(SENSITIVE, { id: ownId });
    for (const value of Object.values(own)) {
      expect(await rowsMentioning(t.database.db, "audit_log", value)).toBe(0);
      expect(await rowsMentioning(t.database.db, "complaint_events", value)).toBe(0);
      expect(await rowsMentioning(t.database.db, "idempotency_keys", value)).toBe(0);
    }
  });
});

describe("logs", () => {
  it("never hold complainant data, whether the request succeeds, is refused or is forbidden", async () => {
    const logged = await startLoggedServer({ LOG_LEVEL: "trace" });
    try {
      const url = `${logged.origin}/graphql`;
      const { token } = await issuePrincipal(logged.database.db, fixtureActor(), {
        role: "INVESTIGATOR",
        name: "Logged investigator",
      });
      const { token: hrToken } = await issuePrincipal(logged.database.db, fixtureActor(), {
        role: "HR",
        name: "Logged HR",
      });
      const form = callerAt(url, null);
      const data = personalData();
      const complainant = {
        fullName: data.fullName,
        email: data.email,
        phone: data.phone,
        type: "VICTIM",
      };

      const { receipt } = await submitComplaint(form, { narrative: data.narrative, complainant });
      const id = await complaintId(callerAt(url, token), receipt.trackingNumber);
      ok(await callerAt(url, token).query(SENSITIVE, { id }));
      expect(errorOf(await callerAt(url, hrToken).query(SENSITIVE, { id })).code).toBe("FORBIDDEN");
      const refusals = [
        {
          narrative: data.narrative,
          complainant: { ...complainant, email: `${data.email} not-an-email` },
        },
        { narrative: `${data.narrative}\u0000`, complainant },
        {
          narrative: data.narrative,
          complainant,
          incidentAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
        { narrative: data.narrative, complainant: { ...complainant, type: "ALIEN" } },
      ];
      for (const overrides of refusals) {
        const result = await form.op("SubmitComplaint", { input: complaintInput(overrides) });
        expect(errorOf(result).code).toBe("BAD_USER_INPUT");
      }
      ok(await publicStatus(form, receipt));

      // The requests were logged (so the search below looked at something) ...
      expect(logged.lines.filter((l) => l.msg === "request").length).toBeGreaterThanOrEqual(8);
      // ... and no line holds a word of the complainant's.
      expect(
        foundIn(Buffer.from(logged.text()), [...Object.values(data), receipt.accessCode]),
      ).toEqual([]);
    } finally {
      await logged.server.close();
      await logged.database.close();
    }
  });
});

describe("eraseComplainantData", () => {
  const erase = (
    caller: Caller,
    complaintId: string,
    reason = "Complainant request under the personal-data law.",
  ) => caller.op("EraseComplainantData", { input: { complaintId, reason } });

  /** What must survive an erasure untouched. */
  const figures = (file: Record<string, any>) => ({
    trackingNumber: file.trackingNumber,
    status: file.status,
    channel: file.channel,
    registeredAt: file.registeredAt,
    responseDueAt: file.responseDueAt,
    closedAt: file.closedAt,
    incidentAt: file.incidentAt,
    anonymous: file.anonymous,
    unit: file.unit,
    // Descriptions of officers are the complainant's words: they go with the rest.
    allegations: file.allegations.map(
      ({ description: _, ...rest }: Record<string, unknown>) => rest,
    ),
  });

  async function queueCount(filter: Record<string, unknown>) {
    return ok(await investigator.op("CaseQueue", { filter, first: 1 })).complaints
      .totalCount as number;
  }

  it("destroys the complainant's data for good and keeps the complaint, its allegations and every figure", async () => {
    const admin = await t.as("ADMIN");
    const officer = await createOfficer(admin);
    const comment = marker("Feedback comment to erase");
    const { data, receipt, id } = await complaintWith(personalData(), {
      categories: ["FORCE", "DISCOURTESY"],
      officers: [{ badgeNumber: officer.badgeNumber }, { description: "his partner" }],
    });
    await closeWithoutFinding(investigator, id);
    ok(
      await t.public.op("SubmitComplaintFeedback", {
        input: {
          trackingNumber: receipt.trackingNumber,
          accessCode: receipt.accessCode,
          rating: 3,
          comment,
        },
      }),
    );
    const before = await caseFile(supervisor, id);
    const sealedBefore = await complaintRow(t.database.db, receipt.trackingNumber);
    const byOfficer = await queueCount({ officerBadge: officer.badgeNumber });
    const publicBefore = ok(await publicStatus(t.public, receipt)).complaintStatus;

    const reason = "Complainant request under the personal-data law.";
    const { eraseComplainantData } = ok(await erase(supervisor, id, reason));

    expect(eraseComplainantData.complaint).toEqual({ id, complainant: { fullName: null } });
    const after = await caseFile(supervisor, id);
    expect(figures(after)).toEqual(figures(before));
    expect(after.allegations).toHaveLength(4);
    expect(after).toMatchObject({
      narrative: null,
      complainant: { fullName: null, email: null, phone: null },
    });
    expect(after).toMatchObject({ incidentPlace: null });
    expect(after.allegations.map((a: { description: string | null }) => a.description)).toEqual([
      null,
      null,
      null,
      null,
    ]);
    // The history stays, without its notes: they were sealed by the key that is gone.
    expect(after.timeline.slice(0, before.timeline.length)).toEqual(
      before.timeline.map((e: Record<string, unknown>) => ({ ...e, note: null })),
    );
    expect(before.timeline.some((e: { note: string | null }) => e.note)).toBe(true);
    // The reason is sealed by the complaint's new key, and readable.
    expect(after.timeline.at(-1)).toMatchObject({ kind: "COMPLAINANT_DATA_ERASED", note: reason });
    expect(await queueCount({ officerBadge: officer.badgeNumber })).toBe(byOfficer);
    expect(ok(await publicStatus(t.public, receipt)).complaintStatus).toEqual(publicBefore);

    const row = await complaintRow(t.database.db, receipt.trackingNumber);
    expect(row).toMatchObject({
      complainantNameSealed: null,
      complainantEmailSealed: null,
      complainantPhoneSealed: null,
      feedbackCommentSealed: null,
      feedbackRating: 3,
      complainantErasedAt: expect.any(Date),
    });
    expect(row.narrativeSealed || null).toBeNull();
    // No copy of the sealed values is left in any row (so no key could ever open them again) ...
    expect(row.dataKey).not.toBe(sealedBefore.dataKey);
    const gone = [
      sealedBefore.dataKey!,
      sealedBefore.complainantNameSealed!,
      sealedBefore.complainantEmailSealed!,
      sealedBefore.complainantPhoneSealed!,
      sealedBefore.narrativeSealed!,
      sealedBefore.feedbackCommentSealed!,
    ];
    // An old copy of the row cannot be opened with what the database holds now.
    expect(() =>
      complaintKey(row).open("complaints", "narrative_sealed", id, sealedBefore.narrativeSealed),
    ).toThrow();
    for (const table of ["complaints", "complaint_events", "idempotency_keys", "audit_log"]) {
      for (const sealed of gone) expect(await rowsMentioning(t.database.db, table, sealed)).toBe(0);
      for (const sealed of (await allegationRows(t.database.db, id)).map(
        (a) => a.descriptionSealed,
      ))
        expect(sealed).toBeNull();
    }
    // ... nor in a dump of the database (PostgreSQL; PGlite's data directory keeps dead rows until vacuum).
    if (onPostgres) expect(foundIn(await databaseDump(t.database), gone)).toEqual([]);
    for (const value of [...Object.values(data), comment])
      expect(await rowsMentioning(t.database.db, "audit_log", value)).toBe(0);
  });

  it("erases the narrative of an anonymous complaint", async () => {
    const { receipt } = await submitComplaint(t.public, {
      complainant: null,
      narrative: marker("Anonymous narrative"),
    });
    const id = await complaintId(investigator, receipt.trackingNumber);
    ok(await erase(supervisor, id));
    expect(await caseFile(supervisor, id)).toMatchObject({
      anonymous: true,
      complainant: null,
      narrative: null,
    });
  });

  it.each(["INVESTIGATOR", "AUDITOR", "HR", "ANALYST", "ADMIN"] as const)(
    "is refused to %s, and erases nothing",
    async (role) => {
      const { data, id } = await complaintWith();
      expect(errorOf(await erase(await t.as(role), id))).toEqual({ code: "FORBIDDEN" });
      expect((await caseFile(supervisor, id)).complainant.fullName).toBe(data.fullName);
    },
  );

  it("is refused to the public", async () => {
    const { data, id } = await complaintWith();
    expect(errorOf(await erase(t.public, id))).toEqual({ code: "UNAUTHENTICATED" });
    expect((await caseFile(supervisor, id)).narrative).toBe(data.narrative);
  });

  it("refuses a second erasure, an unknown complaint and a bad reason", async () => {
    const { data, id } = await complaintWith();
    expect(errorOf(await erase(supervisor, id, "reason\u0000"))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.reason",
    });
    expect(errorOf(await erase(supervisor, id, ""))).toEqual({
      code: "BAD_USER_INPUT",
      field: "input.reason",
    });
    expect((await caseFile(supervisor, id)).complainant.fullName).toBe(data.fullName);

    ok(await erase(supervisor, id));
    expect(errorOf(await erase(supervisor, id))).toEqual({ code: "INVALID_STATE" });
    expect(errorOf(await erase(supervisor, "00000000-0000-4000-8000-000000000000"))).toEqual({
      code: "NOT_FOUND",
    });
  });

  it("still answers the complainant's status and idempotent retries after erasure", async () => {
    const place = marker("place");
    const { input, receipt, id } = await complaintWith(personalData(), { incidentPlace: place });
    expect(await complaintsAt(t.database.db, place)).toBe(1);
    ok(await erase(supervisor, id));
    expect(ok(await publicStatus(t.public, receipt)).complaintStatus.trackingNumber).toBe(
      receipt.trackingNumber,
    );
    expect(ok(await t.public.op("SubmitComplaint", { input })).submitComplaint.receipt).toEqual(
      receipt,
    );
    // The erased complaint no longer holds the place; a second complaint made by the retry would.
    expect(await complaintsAt(t.database.db, place)).toBe(0);
  });
});
