import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq, sql } from "drizzle-orm";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { openDatabase } from "../src/db/client";
import { MIGRATIONS_FOLDER, migrate } from "../src/db/migrate";
import { addDays } from "../src/common/dates";
import { loadConfig } from "../src/config";
import { CATEGORIES, idempotencyKeys, publicHolidays } from "../src/db/schema";
import { createLogger } from "../src/logger";
import { createSenimServer } from "../src/server";
import { KeyRing } from "../src/crypto/keyring";
import { sealLegacyRecords } from "../src/crypto/reseal";
import { sha256 } from "../src/crypto/hash";
import {
  IDEMPOTENCY_TTL_MS,
  LEGACY_KEY_ID,
  idempotencyClaim,
} from "../src/modules/intake/idempotency.service";
import { complaintId, complaintInput, submitComplaint, type Receipt } from "./helpers/complaints";
import {
  asFixture,
  fixtureActor,
  onPostgres,
  openPrivateDatabase,
  sealUnbound,
} from "./helpers/database";
import { createDistrict, createOfficer } from "./helpers/factories";
import {
  allegationRows,
  caseFile,
  closeWithoutFinding,
  complaintRow,
  complaintsAt,
  holidayDays,
  idempotencyRow,
  localDay,
  localYear,
  marker,
  publicSender,
  publicStatus,
  sequenceOf,
  twoServersOn,
  workingDaysBetween,
} from "./helpers/intake";
import {
  errorOf,
  ok,
  startTestServer,
  type Caller,
  type GraphQLResult,
  type TestServer,
} from "./helpers/server";

let t: TestServer;
let admin: Caller;
let investigator: Caller;
beforeAll(async () => {
  t = await startTestServer();
  admin = await t.as("ADMIN");
  investigator = await t.as("INVESTIGATOR");
});
afterAll(() => t.close());

const submit = (input: Record<string, unknown>, caller: Caller = t.public) =>
  caller.op("SubmitComplaint", { input });
const receiptOf = (result: GraphQLResult) => ok(result).submitComplaint.receipt as Receipt;
const TRACKING_NUMBER = /^SNM-(\d{4})-(\d{6})$/;

/** The request was refused with this code (and field), never as a server failure. */
function expectRefusal(result: GraphQLResult, expected: { code: string; field?: string }) {
  expect(result.status).toBeLessThan(500);
  expect(result.data?.submitComplaint ?? null).toBeNull();
  expect(errorOf(result)).toEqual(expected);
}

/** The idempotency record a complaint was registered under. */
async function idempotencyRowOf(receipt: Receipt) {
  const { id } = await complaintRow(t.database.db, receipt.trackingNumber);
  const [row] = await t.database.db
    .select()
    .from(idempotencyKeys)
    .where(eq(idempotencyKeys.resultId, id));
  return row;
}

describe("submitComplaint: the receipt", () => {
  it("registers a complaint and returns a tracking number, an access code and the deadline", async () => {
    const before = Date.now();
    const { input, receipt } = await submitComplaint(t.public, { incidentPlace: marker("place") });
    const after = Date.now();

    const [, year] = TRACKING_NUMBER.exec(receipt.trackingNumber) ?? [];
    expect(Number(year)).toBe(localYear(receipt.registeredAt));
    expect(Date.parse(receipt.registeredAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(receipt.registeredAt)).toBeLessThanOrEqual(after);
    expect(receipt.accessCode).toEqual(expect.any(String));

    const id = await complaintId(investigator, receipt.trackingNumber);
    const file = await caseFile(investigator, id);
    expect(file).toMatchObject({
      trackingNumber: receipt.trackingNumber,
      status: "REGISTERED",
      channel: "WEB_FORM",
      language: "KK",
      registeredAt: receipt.registeredAt,
      responseDueAt: receipt.responseDueAt,
      incidentPlace: input.incidentPlace,
      narrative: input.narrative,
      anonymous: false,
      complainant: { ...input.complainant },
      unit: { code: "KZ-AST" },
      registeredBy: null,
    });
    expect(Date.parse(file.incidentAt)).toBe(Date.parse(input.incidentAt));
    expect(file.timeline).toEqual([expect.objectContaining({ kind: "REGISTERED" })]);
    expect(await complaintsAt(t.database.db, input.incidentPlace)).toBe(1);
  });

  it("sets the response deadline 15 working days on, at the same time of day, skipping weekends and public holidays", async () => {
    const { receipt } = await submitComplaint(t.public);
    const holidays = await holidayDays(t.database.db);
    const registered = localDay(receipt.registeredAt);
    const due = localDay(receipt.responseDueAt);

    expect(workingDaysBetween(registered, due, holidays)).toBe(15);
    // The deadline is itself a working day (else it could have been a day earlier).
    expect(workingDaysBetween(addDays(due, -1), due, holidays)).toBe(1);
    expect(
      (Date.parse(receipt.responseDueAt) - Date.parse(receipt.registeredAt)) % 86_400_000,
    ).toBe(0);
  });

  it("counts the public holidays in the database's table when setting the deadline", async () => {
    // A database of its own, so the extra holidays touch no other test.
    const own = await openPrivateDatabase();
    const config = loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS,
    });
    const server = await createSenimServer({
      database: own.database,
      config,
      log: createLogger("silent"),
    });
    try {
      const send = publicSender(`http://127.0.0.1:${await server.listen(0, "127.0.0.1")}/graphql`);
      const today = localDay(new Date());
      const existing = await holidayDays(own.database.db);
      // Every day of the next three weeks becomes a holiday: the deadline moves past all of them.
      const added = Array.from({ length: 21 }, (_, i) => addDays(today, i + 1)).filter(
        (d) => !existing.has(d),
      );
      await own.database.db
        .insert(publicHolidays)
        .values(added.map((day) => ({ day, name: "Test closure" })));

      const receipt = receiptOf(
        await send("SubmitComplaint", { input: complaintInput({ officers: [] }) }),
      );

      const holidays = await holidayDays(own.database.db);
      const due = localDay(receipt.responseDueAt);
      expect(due > addDays(today, 21)).toBe(true);
      expect(workingDaysBetween(localDay(receipt.registeredAt), due, holidays)).toBe(15);
    } finally {
      await server.close();
      await own.drop();
    }
  });

  it("gives an access code of at least 60 random bits that is stored only as a hash", async () => {
    const receipts = await Promise.all(
      Array.from({ length: 40 }, () => submitComplaint(t.public).then((r) => r.receipt)),
    );
    const codes = receipts.map((r) => r.accessCode);
    expect(new Set(codes).size).toBe(codes.length);

    const symbols = codes.map((c) => c.replace(/-/g, ""));
    for (const s of symbols) expect(s).toMatch(/^[0-9A-Z]+$/);
    const alphabet = new Set(symbols.join(""));
    // 40 codes draw on every symbol of their alphabet; each symbol then carries log2(alphabet) bits.
    expect(
      Math.min(...symbols.map((s) => s.length)) * Math.log2(alphabet.size),
    ).toBeGreaterThanOrEqual(60);

    for (const receipt of receipts.slice(0, 5)) {
      const row = await complaintRow(t.database.db, receipt.trackingNumber);
      expect(row.accessCodeHash).toMatch(/^[0-9a-f]{64}$/);
      const stored = JSON.stringify(row) + JSON.stringify(await idempotencyRowOf(receipt));
      expect(stored).not.toContain(receipt.accessCode);
      expect(stored).not.toContain(receipt.accessCode.replace(/-/g, ""));
    }
  });

  it("accepts an anonymous complaint", async () => {
    const { receipt } = await submitComplaint(t.public, { complainant: null });
    const file = await caseFile(
      investigator,
      await complaintId(investigator, receipt.trackingNumber),
    );
    expect(file).toMatchObject({
      anonymous: true,
      complainant: null,
      narrative: expect.any(String),
    });
    expect(ok(await publicStatus(t.public, receipt)).complaintStatus.status).toBe("REGISTERED");
  });

  it("records the staff member who registers a walk-in complaint", async () => {
    const { receipt } = await submitComplaint(investigator, { channel: "IN_PERSON" });
    const file = await caseFile(
      investigator,
      await complaintId(investigator, receipt.trackingNumber),
    );
    expect(file).toMatchObject({
      channel: "IN_PERSON",
      registeredBy: { id: investigator.principalId },
    });
  });

  it("writes its messages in Russian when the form names no language", async () => {
    const { receipt } = await submitComplaint(t.public, { language: null });
    const { complaintStatus } = ok(await publicStatus(t.public, receipt));
    expect(complaintStatus.updates[0].message).toContain("зарегистрирована");
    // The date ends in "г.", and the sentence ends there: once.
    expect(complaintStatus.updates[0].message).toMatch(/\d{4} г\.$/);
  });
});

describe("submitComplaint: tracking numbers", () => {
  it("gives concurrent submissions distinct numbers that follow the order of registration", async () => {
    const receipts = await Promise.all(
      Array.from({ length: 30 }, () => submitComplaint(t.public).then((r) => r.receipt)),
    );

    const numbers = receipts.map((r) => r.trackingNumber);
    for (const n of numbers) expect(n).toMatch(TRACKING_NUMBER);
    expect(new Set(numbers).size).toBe(numbers.length);
    const byNumber = [...receipts].sort((a, b) => (a.trackingNumber < b.trackingNumber ? -1 : 1));
    for (let i = 1; i < byNumber.length; i++) {
      expect(Date.parse(byNumber[i].registeredAt)).toBeGreaterThanOrEqual(
        Date.parse(byNumber[i - 1].registeredAt),
      );
    }
    if (!onPostgres) {
      // Alone on its database, the file sees the year's sequence without anyone else's numbers in it.
      const sequence = byNumber.map((r) => sequenceOf(r.trackingNumber));
      expect(sequence).toEqual(sequence.map((_, i) => sequence[0] + i));
    }
  });

  it("numbers two servers' submissions on one database from one sequence", async () => {
    const { senders, stop } = await twoServersOn(t.database);
    try {
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          senders[i % 2]("SubmitComplaint", { input: complaintInput() }),
        ),
      );
      const receipts = results.map(receiptOf);
      const numbers = receipts.map((r) => r.trackingNumber);
      expect(new Set(numbers).size).toBe(24);
      const byNumber = [...receipts].sort((a, b) => (a.trackingNumber < b.trackingNumber ? -1 : 1));
      for (let i = 1; i < byNumber.length; i++) {
        expect(Date.parse(byNumber[i].registeredAt)).toBeGreaterThanOrEqual(
          Date.parse(byNumber[i - 1].registeredAt),
        );
      }
      if (!onPostgres) {
        const sequence = byNumber.map((r) => sequenceOf(r.trackingNumber));
        expect(sequence).toEqual(sequence.map((_, i) => sequence[0] + i));
      }
    } finally {
      await stop();
    }
  });
});

describe("submitComplaint: idempotency", () => {
  it("returns the same receipt for every retry of the same form and creates one complaint", async () => {
    const input = complaintInput({ incidentPlace: marker("place") });
    const first = receiptOf(await submit(input));
    const second = receiptOf(await submit(input));
    const third = receiptOf(await submit({ ...input }));

    expect(second).toEqual(first);
    expect(third).toEqual(first);
    expect(await complaintsAt(t.database.db, input.incidentPlace as string)).toBe(1);
    // The replayed access code still opens the complaint.
    expect(ok(await publicStatus(t.public, third)).complaintStatus.trackingNumber).toBe(
      first.trackingNumber,
    );
  });

  it("returns one receipt to many identical requests sent at once, and creates one complaint", async () => {
    const input = complaintInput({ incidentPlace: marker("place") });
    const results = await Promise.all(Array.from({ length: 30 }, () => submit(input)));

    const receipts = results.map(receiptOf);
    for (const receipt of receipts) expect(receipt).toEqual(receipts[0]);
    expect(await complaintsAt(t.database.db, input.incidentPlace as string)).toBe(1);
  });

  it("treats the same input written differently (key case, time zone offset, field order) as the same form", async () => {
    const key = randomUUID();
    const input = complaintInput({
      idempotencyKey: key,
      incidentAt: "2025-06-01T10:00:00Z",
      incidentPlace: marker("place"),
    });
    const first = receiptOf(await submit(input));
    const { incidentPlace, narrative, ...rest } = input;
    const reordered = {
      narrative,
      ...rest,
      incidentPlace,
      idempotencyKey: key.toUpperCase(),
      incidentAt: "2025-06-01T15:00:00.000+05:00",
    };

    expect(receiptOf(await submit(reordered))).toEqual(first);
    expect(await complaintsAt(t.database.db, incidentPlace as string)).toBe(1);
  });

  it("refuses the same key with a different input, and changes nothing", async () => {
    const input = complaintInput({ incidentPlace: marker("place") });
    const first = receiptOf(await submit(input));
    const name = marker("Other Name");

    const changes: Record<string, unknown>[] = [
      { narrative: `${input.narrative} (and more)` },
      { complainant: { ...(input.complainant as object), fullName: name } },
      { complainant: null },
      { categories: ["FORCE"] },
      { officers: [] },
      { channel: "MAIL" },
      { language: "EN" },
    ];
    for (const change of changes) {
      const result = await submit({ ...input, ...change });
      expect(errorOf(result)).toEqual({
        code: "IDEMPOTENCY_KEY_REUSED",
        field: "input.idempotencyKey",
      });
      expect(JSON.stringify(result.errors)).not.toContain(name);
    }
    expect(await complaintsAt(t.database.db, input.incidentPlace as string)).toBe(1);
    const file = await caseFile(
      investigator,
      await complaintId(investigator, first.trackingNumber),
    );
    expect(file).toMatchObject({
      narrative: input.narrative,
      channel: "WEB_FORM",
      complainant: input.complainant,
    });
    expect(receiptOf(await submit(input))).toEqual(first);
  });

  it("lets exactly one of several different forms racing on one key through", async () => {
    const key = randomUUID();
    const place = marker("place");
    const variants = [1, 2, 3].map((n) =>
      complaintInput({
        idempotencyKey: key,
        incidentPlace: place,
        narrative: `Version ${n} of the story.`,
      }),
    );
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => submit(variants[i % 3])),
    );

    const winners = results.filter((r) => !r.errors);
    const receipts = winners.map(receiptOf);
    for (const receipt of receipts) expect(receipt).toEqual(receipts[0]);
    // The winning version's 8 requests succeed; the others' 16 are told the key was used for something else.
    expect(winners).toHaveLength(8);
    for (const r of results.filter((r) => r.errors))
      expect(errorOf(r).code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await complaintsAt(t.database.db, place)).toBe(1);
  });

  it("holds with two servers on one database: one key, one complaint; different keys, different complaints", async () => {
    const { senders, stop } = await twoServersOn(t.database);
    try {
      const shared = complaintInput({ incidentPlace: marker("place") });
      const other = complaintInput({
        idempotencyKey: shared.idempotencyKey,
        incidentPlace: shared.incidentPlace,
        narrative: "Another story.",
      });
      const distinctPlace = marker("place");
      const [same, reused, distinct] = await Promise.all([
        Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            senders[i % 2]("SubmitComplaint", { input: shared }),
          ),
        ),
        Promise.all(
          Array.from({ length: 4 }, (_, i) => senders[i % 2]("SubmitComplaint", { input: other })),
        ),
        Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            senders[i % 2]("SubmitComplaint", {
              input: complaintInput({ incidentPlace: distinctPlace }),
            }),
          ),
        ),
      ]);

      // Whichever version won the key, every request for it has one receipt and the other version is refused.
      const sharedWon = same.some((r) => !r.errors);
      const winners = sharedWon ? same : reused;
      const losers = sharedWon ? reused : same;
      const receipts = winners.map(receiptOf);
      for (const receipt of receipts) expect(receipt).toEqual(receipts[0]);
      for (const r of losers)
        expect(errorOf(r)).toEqual({
          code: "IDEMPOTENCY_KEY_REUSED",
          field: "input.idempotencyKey",
        });
      expect(await complaintsAt(t.database.db, shared.incidentPlace as string)).toBe(1);

      const numbers = distinct.map((r) => receiptOf(r).trackingNumber);
      expect(new Set([...numbers, receipts[0].trackingNumber]).size).toBe(11);
      expect(await complaintsAt(t.database.db, distinctPlace)).toBe(10);
    } finally {
      await stop();
    }
  });

  it("does not spend the key on a refused submission: the corrected form goes through", async () => {
    const input = complaintInput({
      incidentPlace: marker("place"),
      officers: [{ badgeNumber: "NO-SUCH-BADGE-1" }],
    });
    expectRefusal(await submit(input), {
      code: "BAD_USER_INPUT",
      field: "input.officers.0.badgeNumber",
    });
    expect(await idempotencyRow(t.database.db, input.idempotencyKey)).toBeNull();

    const receipt = receiptOf(
      await submit({ ...input, officers: [{ description: "tall, no badge visible" }] }),
    );
    expect(receipt.trackingNumber).toMatch(TRACKING_NUMBER);
    expect(await complaintsAt(t.database.db, input.incidentPlace as string)).toBe(1);
  });
});

/** The canonical text of a form, as the server reads it (incidentAt parsed to a date). */
const canonicalOf = (input: { idempotencyKey: string; incidentAt: unknown }) => {
  const parsed = { ...input, incidentAt: new Date(input.incidentAt as string) };
  return idempotencyClaim(parsed).request;
};

describe("submitComplaint: what the idempotency record keeps, and for how long", () => {
  const keys = () => KeyRing.parse(process.env.ENCRYPTION_KEYS!);
  const DAY = 24 * 3600_000;

  /** Moves a key's record back in time, as if its form had been sent `ms` ago. */
  const sentAgo = (key: string, ms: number) =>
    asFixture(t.database.db, (tx) =>
      tx
        .update(idempotencyKeys)
        .set({ createdAt: new Date(Date.now() - ms) })
        .where(and(eq(idempotencyKeys.scope, "complaint"), eq(idempotencyKeys.key, key))),
    );

  it("keeps a keyed hash of the form and the key's id, never a plain SHA-256 of it or anything it says", async () => {
    const complainant = {
      fullName: marker("Name"),
      email: `${marker("mail")}@example.kz`,
      phone: `+7701${String(Date.now()).slice(-7)}`,
      type: "WITNESS",
    };
    const input = complaintInput({ complainant, narrative: marker("What I saw") });
    const receipt = receiptOf(await submit(input));
    const row = await idempotencyRowOf(receipt);
    const request = canonicalOf(input);

    // The hash is this form's HMAC under the active key: `request` is exactly what the server hashed.
    expect(row.keyId).toBe(keys().activeKeyId);
    expect(row.requestHash).toBe(keys().macWith(row.keyId, `idempotency\ncomplaint\n${request}`));
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(sha256(request));
    for (const text of [
      complainant.fullName,
      complainant.email,
      complainant.phone,
      input.narrative,
    ])
      expect(stored).not.toContain(text);
  });

  it("still knows a retry, and a different form, after the active key changes", async () => {
    const input = complaintInput();
    const first = receiptOf(await submit(input));
    // test-b becomes the active key; test-a, which hashed the record, stays in the ring.
    const [a, b] = process.env.ENCRYPTION_KEYS!.split(",");
    const rotated = await startTestServer(
      { ENCRYPTION_KEYS: `${b},${a}` },
      { database: t.database },
    );
    try {
      expect(keys().activeKeyId).not.toBe(KeyRing.parse(`${b},${a}`).activeKeyId);
      expect(receiptOf(await rotated.public.op("SubmitComplaint", { input }))).toEqual(first);
      expect(
        errorOf(
          await rotated.public.op("SubmitComplaint", { input: { ...input, channel: "MAIL" } }),
        ),
      ).toEqual({ code: "IDEMPOTENCY_KEY_REUSED", field: "input.idempotencyKey" });
    } finally {
      await rotated.close();
    }
  });

  it("still knows a retry of a record hashed before keys (legacy SHA-256), until it expires", async () => {
    const input = complaintInput();
    const first = receiptOf(await submit(input));
    // The record as the migration leaves one written before keyed hashes.
    await asFixture(t.database.db, (tx) =>
      tx
        .update(idempotencyKeys)
        .set({ keyId: LEGACY_KEY_ID, requestHash: sha256(canonicalOf(input)) })
        .where(eq(idempotencyKeys.key, input.idempotencyKey)),
    );
    expect(receiptOf(await submit(input))).toEqual(first);
    expect(errorOf(await submit({ ...input, language: "EN" }))).toEqual({
      code: "IDEMPOTENCY_KEY_REUSED",
      field: "input.idempotencyKey",
    });
    await sentAgo(input.idempotencyKey, IDEMPOTENCY_TTL_MS + 60_000);
    const renewed = receiptOf(await submit(input));
    expect(renewed.trackingNumber).not.toBe(first.trackingNumber);
    expect(await idempotencyRow(t.database.db, input.idempotencyKey)).toMatchObject({
      keyId: keys().activeKeyId,
    });
  });

  it("forgets a key after 7 days: the same key is then a new submission, whatever form it carries", async () => {
    const input = complaintInput();
    const first = receiptOf(await submit(input));
    await sentAgo(input.idempotencyKey, 7 * DAY - 60_000);
    expect(receiptOf(await submit(input))).toEqual(first);

    await sentAgo(input.idempotencyKey, 7 * DAY + 60_000);
    const second = receiptOf(await submit(input));
    expect(second.trackingNumber).not.toBe(first.trackingNumber);
    const secondRow = await complaintRow(t.database.db, second.trackingNumber);
    expect(await idempotencyRow(t.database.db, input.idempotencyKey)).toMatchObject({
      resultId: secondRow.id,
    });
    // Both complaints stand, each opened by its own access code; retries now get the new receipt.
    for (const receipt of [first, second])
      expect(ok(await publicStatus(t.public, receipt)).complaintStatus.trackingNumber).toBe(
        receipt.trackingNumber,
      );
    expect(receiptOf(await submit(input))).toEqual(second);

    // An expired key takes a different form too, instead of IDEMPOTENCY_KEY_REUSED.
    await sentAgo(input.idempotencyKey, 8 * DAY);
    const third = receiptOf(await submit({ ...input, narrative: "Another story." }));
    expect(new Set([first, second, third].map((r) => r.trackingNumber)).size).toBe(3);
  });

  it("purges expired records as new forms arrive, and keeps those within 7 days", async () => {
    const expired = await Promise.all([1, 2, 3].map(() => submitComplaint(t.public)));
    const recent = await submitComplaint(t.public);
    // Older than anything else in the table, so that they are the first a purge takes.
    for (const { input } of expired) await sentAgo(input.idempotencyKey, 40 * 365 * DAY);
    await sentAgo(recent.input.idempotencyKey, 6 * DAY);
    for (const { input } of expired)
      expect(await idempotencyRow(t.database.db, input.idempotencyKey)).not.toBeNull();

    await submitComplaint(t.public);
    for (const { input } of expired)
      expect(await idempotencyRow(t.database.db, input.idempotencyKey)).toBeNull();
    expect(await idempotencyRow(t.database.db, recent.input.idempotencyKey)).not.toBeNull();
    // The purged keys' complaints stay.
    for (const { receipt } of expired)
      expect((await complaintRow(t.database.db, receipt.trackingNumber)).trackingNumber).toBe(
        receipt.trackingNumber,
      );
  });
});

// The upgrade's SQL is the same on both databases; PGlite gives a database at the older version cheaply.
(onPostgres ? describe.skip : describe)("upgrading to keyed, expiring idempotency records", () => {
  it("forgets records older than 7 days, and keeps the others' receipts for their retries", async () => {
    // The migrations up to the one before the upgrade.
    const folder = mkdtempSync(join(tmpdir(), "senim-migrations-"));
    cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
    const journalFile = join(folder, "meta", "_journal.json");
    const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
    const upgrade = journal.entries.findIndex((e) => e.tag.endsWith("_idempotency_keyed_expiring"));
    expect(upgrade).toBeGreaterThan(0);
    writeFileSync(
      journalFile,
      JSON.stringify({ ...journal, entries: journal.entries.slice(0, upgrade) }),
    );
    const database = await openDatabase({ memory: true });
    try {
      await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: folder });
      // Records as the previous version wrote them: a plain SHA-256 of the canonical form.
      const keys = KeyRing.parse(process.env.ENCRYPTION_KEYS!);
      const [recent, stale] = [complaintInput(), complaintInput()];
      const receipt = {
        trackingNumber: "SNM-2026-000001",
        accessCode: "ABCD-EFGH-JKLM-NPQR",
        registeredAt: new Date(Date.now() - 86_400_000).toISOString(),
        responseDueAt: new Date(Date.now() + 20 * 86_400_000).toISOString(),
      };
      for (const [input, daysAgo] of [
        [recent, 6],
        [stale, 8],
      ] as const) {
        const request = canonicalOf(input);
        await database.db.execute(sql`
          insert into idempotency_keys (scope, key, request_hash, receipt_sealed, created_at)
          values ('complaint', ${input.idempotencyKey}, ${sha256(request)},
            ${sealUnbound(JSON.stringify(receipt))},
            now() - make_interval(days => ${daysAgo}))`);
      }

      // As the server starts: migrations, then what they cannot do (sealing under keys from configuration).
      await migrate(database);
      await sealLegacyRecords(database.db, keys, fixtureActor(), createLogger("silent"));
      expect(await idempotencyRow(database.db, stale.idempotencyKey)).toBeNull();
      expect(await idempotencyRow(database.db, recent.idempotencyKey)).toMatchObject({
        keyId: LEGACY_KEY_ID,
      });
      const upgraded = await startTestServer({}, { database });
      try {
        const retry = await upgraded.public.op("SubmitComplaint", { input: recent });
        expect(receiptOf(retry)).toEqual(receipt);
        const other = await upgraded.public.op("SubmitComplaint", {
          input: { ...recent, narrative: "Another story." },
        });
        expect(errorOf(other)).toEqual({
          code: "IDEMPOTENCY_KEY_REUSED",
          field: "input.idempotencyKey",
        });
      } finally {
        await upgraded.close();
      }
    } finally {
      await database.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("submitComplaint: officers and categories become allegations", () => {
  let from: string;
  let to: string;
  let officer: { badgeNumber: string };
  beforeAll(async () => {
    from = await createDistrict(admin, "KZ-ALA");
    to = await createDistrict(admin, "KZ-SHY");
    officer = await createOfficer(admin, { unitCode: from, hiredAt: "2019-08-01" });
    ok(
      await admin.op("TransferOfficer", {
        input: { badgeNumber: officer.badgeNumber, unitCode: to, effectiveFrom: "2024-06-01" },
      }),
    );
  });

  const allegationsOf = async (receipt: Receipt) =>
    (await caseFile(investigator, await complaintId(investigator, receipt.trackingNumber)))
      .allegations as {
      category: string;
      description: string | null;
      officer: { badgeNumber: string } | null;
      unitAtIncident: { code: string } | null;
    }[];

  it("links an officer named by badge at once, with the unit they served in on the day of the incident", async () => {
    // 31 May 17:00 in Almaty: still in the first unit. 1 June 01:00 in Almaty (31 May in UTC): already transferred.
    const before = (
      await submitComplaint(t.public, {
        incidentAt: "2024-05-31T12:00:00Z",
        officers: [{ badgeNumber: officer.badgeNumber }],
      })
    ).receipt;
    const after = (
      await submitComplaint(t.public, {
        incidentAt: "2024-05-31T20:00:00Z",
        officers: [{ badgeNumber: officer.badgeNumber }],
      })
    ).receipt;

    expect(await allegationsOf(before)).toEqual([
      expect.objectContaining({
        category: "DOMESTIC_VIOLENCE_HANDLING",
        officer: { badgeNumber: officer.badgeNumber },
        unitAtIncident: { code: from },
      }),
    ]);
    expect(await allegationsOf(after)).toEqual([
      expect.objectContaining({
        officer: { badgeNumber: officer.badgeNumber },
        unitAtIncident: { code: to },
      }),
    ]);
    const filtered = ok(
      await investigator.op("CaseQueue", {
        filter: { officerBadge: officer.badgeNumber },
        first: 100,
      }),
    );
    const tracked = filtered.complaints.edges.map(
      (e: { node: { trackingNumber: string } }) => e.node.trackingNumber,
    );
    expect(tracked).toEqual(expect.arrayContaining([before.trackingNumber, after.trackingNumber]));
  });

  it("makes one allegation per officer and category, keeping descriptions of officers without a badge", async () => {
    const { receipt } = await submitComplaint(t.public, {
      incidentAt: "2025-01-15T09:00:00Z",
      categories: ["FORCE", "DISCOURTESY"],
      officers: [
        { badgeNumber: officer.badgeNumber },
        { description: "second officer, tall, no badge visible" },
      ],
    });
    const found = await allegationsOf(receipt);
    expect(found).toHaveLength(4);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          category: "FORCE",
          officer: { badgeNumber: officer.badgeNumber },
          unitAtIncident: { code: to },
          description: null,
        }),
        expect.objectContaining({
          category: "DISCOURTESY",
          officer: { badgeNumber: officer.badgeNumber },
          unitAtIncident: { code: to },
          description: null,
        }),
        expect.objectContaining({
          category: "FORCE",
          officer: null,
          unitAtIncident: null,
          description: "second officer, tall, no badge visible",
        }),
        expect.objectContaining({
          category: "DISCOURTESY",
          officer: null,
          unitAtIncident: null,
          description: "second officer, tall, no badge visible",
        }),
      ]),
    );
  });

  it("makes one allegation per category against an unknown officer when the form names none", async () => {
    const { receipt } = await submitComplaint(t.public, {
      categories: ["CORRUPTION", "LACK_OF_SERVICE"],
      officers: null,
    });
    const found = await allegationsOf(receipt);
    expect(found.map((a) => a.category).sort()).toEqual(["CORRUPTION", "LACK_OF_SERVICE"]);
    for (const a of found) expect(a).toMatchObject({ officer: null, unitAtIncident: null });
  });

  it("places a complaint without a unit code in the first badge officer's unit at the time, else in MVD", async () => {
    const withBadge = (
      await submitComplaint(t.public, {
        unitCode: null,
        incidentAt: "2024-05-01T09:00:00Z",
        officers: [{ description: "a driver" }, { badgeNumber: officer.badgeNumber }],
      })
    ).receipt;
    const withoutBadge = (await submitComplaint(t.public, { unitCode: null })).receipt;
    const beforeHiring = (
      await submitComplaint(t.public, {
        unitCode: null,
        incidentAt: "2019-07-01T09:00:00Z",
        officers: [{ badgeNumber: officer.badgeNumber }],
      })
    ).receipt;

    const unitOf = async (r: Receipt) =>
      (await caseFile(investigator, await complaintId(investigator, r.trackingNumber))).unit.code;
    expect(await unitOf(withBadge)).toBe(from);
    expect(await unitOf(withoutBadge)).toBe("MVD");
    // Not yet serving on the day: linked, but no unit at the incident.
    expect(await unitOf(beforeHiring)).toBe("MVD");
    expect(await allegationsOf(beforeHiring)).toEqual([
      expect.objectContaining({
        officer: { badgeNumber: officer.badgeNumber },
        unitAtIncident: null,
      }),
    ]);
  });
});

describe("submitComplaint: bad input", () => {
  const name = "Zhanar Bad-Input";
  const email = "zhanar.bad.input@example.kz";
  const phone = "+77019998877";
  const narrative = "Bad-input narrative that must never be echoed back.";
  const formWith = (overrides: Record<string, unknown>) =>
    complaintInput({
      narrative,
      complainant: { fullName: name, email, phone, type: "WITNESS" },
      incidentPlace: marker("place"),
      ...overrides,
    });
  const tooManyOfficers = Array.from({ length: 11 }, (_, i) => ({
    description: `officer ${i + 1}`,
  }));

  const cases: [string, Record<string, unknown>, string][] = [
    ["an empty narrative", { narrative: "" }, "input.narrative"],
    ["a blank narrative", { narrative: " \n\t " }, "input.narrative"],
    [
      "a narrative over 20,000 characters",
      { narrative: `${narrative} ${"x".repeat(20_000)}` },
      "input.narrative",
    ],
    [
      "a narrative of a million characters",
      { narrative: `${narrative} ${"ж".repeat(1_000_000)}` },
      "input.narrative",
    ],
    ["no narrative", { narrative: undefined }, "input.narrative"],
    [
      "an incident tomorrow",
      { incidentAt: new Date(Date.now() + 86_400_000).toISOString() },
      "input.incidentAt",
    ],
    ["an incident a century ago", { incidentAt: "1926-01-01T00:00:00Z" }, "input.incidentAt"],
    [
      "an incident time that is not a time",
      { incidentAt: "yesterday evening" },
      "input.incidentAt",
    ],
    ["a malformed idempotency key", { idempotencyKey: "retry-1" }, "input.idempotencyKey"],
    [
      "a malformed email",
      {
        complainant: { fullName: name, email: "zhanar at example dot kz", phone, type: "WITNESS" },
      },
      "input.complainant.email",
    ],
    [
      "a malformed phone",
      { complainant: { fullName: name, email, phone: "call me maybe", type: "WITNESS" } },
      "input.complainant.phone",
    ],
    [
      "a one-letter name",
      { complainant: { fullName: "Z", email, phone, type: "WITNESS" } },
      "input.complainant.fullName",
    ],
    [
      "a name with surrounding spaces",
      { complainant: { fullName: ` ${name} `, email, phone, type: "WITNESS" } },
      "input.complainant.fullName",
    ],
    ["an unknown unit", { unitCode: "KZ-NOWHERE" }, "input.unitCode"],
    ["a malformed unit code", { unitCode: "kz ast" }, "input.unitCode"],
    ["the ministry as the unit", { unitCode: "MVD" }, "input.unitCode"],
    [
      "an unknown badge",
      { officers: [{ description: "the driver" }, { badgeNumber: "NO-SUCH-BADGE-2" }] },
      "input.officers.1.badgeNumber",
    ],
    [
      "a malformed badge",
      { officers: [{ badgeNumber: "not a badge" }] },
      "input.officers.0.badgeNumber",
    ],
    ["too many officers", { officers: tooManyOfficers }, "input.officers"],
    [
      "an officer with both a badge and a description",
      { officers: [{ badgeNumber: "AST-004211", description: "him" }] },
      "input.officers.0",
    ],
    ["an officer with neither a badge nor a description", { officers: [{}] }, "input.officers.0"],
    [
      "an officer description over 1000 characters",
      { officers: [{ description: "d".repeat(1001) }] },
      "input.officers.0.description",
    ],
    ["no category", { categories: [] }, "input.categories"],
    ["a repeated category", { categories: ["FORCE", "FORCE"] }, "input.categories"],
    ["an unknown category", { categories: ["FORCE", "TORTURE"] }, "input.categories.1"],
    ["an unknown channel", { channel: "PIGEON" }, "input.channel"],
    [
      "an incident place over 500 characters",
      { incidentPlace: "p".repeat(501) },
      "input.incidentPlace",
    ],
    ["a NUL byte in the narrative", { narrative: `${narrative}\u0000` }, "input.narrative"],
    [
      "a NUL byte in the name",
      { complainant: { fullName: `${name}\u0000`, email, phone, type: "WITNESS" } },
      "input.complainant.fullName",
    ],
    [
      "a NUL byte in the email",
      { complainant: { fullName: name, email: `${email}\u0000`, phone, type: "WITNESS" } },
      "input.complainant.email",
    ],
    [
      "a NUL byte in an officer description",
      { officers: [{ description: "the \u0000 driver" }] },
      "input.officers.0.description",
    ],
    [
      "a NUL byte in the incident place",
      { incidentPlace: "Abay Ave\u0000" },
      "input.incidentPlace",
    ],
  ];

  it.each(cases)(
    "refuses %s with BAD_USER_INPUT naming the field, echoing nothing and writing nothing",
    async (_, overrides, field) => {
      const input = formWith(overrides);
      const result = await submit(input);

      expectRefusal(result, { code: "BAD_USER_INPUT", field });
      const said = JSON.stringify(result);
      for (const personal of [name, email, phone, narrative]) expect(said).not.toContain(personal);
      // A place with a NUL byte cannot even be looked for; the key tells that nothing was written.
      if (!String(input.incidentPlace).includes("\u0000"))
        expect(await complaintsAt(t.database.db, input.incidentPlace as string)).toBe(0);
      if (
        typeof input.idempotencyKey === "string" &&
        /^[0-9a-f-]{36}$/.test(input.idempotencyKey)
      ) {
        expect(await idempotencyRow(t.database.db, input.idempotencyKey)).toBeNull();
      }
    },
  );

  it("refuses an officer named twice by the same badge", async () => {
    const named = await createOfficer(admin);
    const input = formWith({
      officers: [{ badgeNumber: named.badgeNumber }, { badgeNumber: named.badgeNumber }],
    });
    expectRefusal(await submit(input), {
      code: "BAD_USER_INPUT",
      field: "input.officers.1.badgeNumber",
    });
    expect(await complaintsAt(t.database.db, input.incidentPlace as string)).toBe(0);
  });

  it("accepts the most the form allows: 10 officers, every category, a 20,000-character narrative", async () => {
    const named = await createOfficer(admin);
    const categories = [...CATEGORIES];
    const long = "ә".repeat(20_000);
    const input = formWith({
      narrative: long,
      categories,
      officers: [{ badgeNumber: named.badgeNumber }, ...tooManyOfficers.slice(2)],
    });

    const receipt = receiptOf(await submit(input));
    const id = await complaintId(investigator, receipt.trackingNumber);
    expect((await caseFile(investigator, id)).narrative).toBe(long);
    expect(await allegationRows(t.database.db, id)).toHaveLength(10 * 13);
  });
});

describe("submitComplaint: hostile text", () => {
  const hostile = [
    `Robert'); DROP TABLE complaints;-- "quoted" \`back\` \\ backslash`,
    "<script>alert('x')</script><img src=x onerror=alert(1)>&amp;&lt;",
    "\u202Eevil right-to-left override\u202C \u200F\u200E \u2066isolate\u2069",
    "👮‍♀️🚓🇰🇿 family 👨‍👩‍👧 skin 👍🏽",
    "e\u0301 (decomposed) and é (composed), Ǻ, Ё, Қазақстан, ٱلعربية",
    "${jndi:ldap://x} {{7*7}} %s %n %x",
    "line\r\nbreaks\n\ttabs\u2028\u2029 zero\u200Bwidth \uFEFFbom",
  ];
  const text = hostile.join(" | ");

  it("stores quotes, SQL, RTL overrides, emoji and HTML and returns them byte for byte", async () => {
    const name = `O'Brien "Bobby" <b>Тест</b> 👮 \u202Eevil\u202C Robert'); DROP TABLE officers;-- e\u0301`;
    const email = "o'brien+tag@example.kz";
    const description = `<i>${hostile[0]}</i> ${hostile[2]} ${hostile[3]}`;
    const { receipt } = await submitComplaint(t.public, {
      narrative: text,
      incidentPlace: hostile.slice(0, 4).join(" "),
      officers: [{ description }],
      complainant: { fullName: name, email, phone: "+7 (701) 000-00-00", type: "THIRD_PARTY" },
    });

    const file = await caseFile(
      investigator,
      await complaintId(investigator, receipt.trackingNumber),
    );
    expect(Buffer.from(file.narrative, "utf8").equals(Buffer.from(text, "utf8"))).toBe(true);
    expect(file.incidentPlace).toBe(hostile.slice(0, 4).join(" "));
    expect(file.complainant).toEqual({
      fullName: name,
      email,
      phone: "+7 (701) 000-00-00",
      type: "THIRD_PARTY",
    });
    expect(file.allegations[0].description).toBe(description);
    expect(ok(await publicStatus(t.public, receipt)).complaintStatus.status).toBe("REGISTERED");
  });
});

describe("complaintStatus", () => {
  it("shows the complainant the public view and the registration message in the complaint's language", async () => {
    const languages: [string, string][] = [
      ["KK", "тіркелді"],
      ["RU", "зарегистрирована"],
      ["EN", "registered"],
    ];
    for (const [language, word] of languages) {
      const { receipt } = await submitComplaint(t.public, { language });
      const { complaintStatus } = ok(await publicStatus(t.public, receipt));
      expect(complaintStatus).toEqual({
        trackingNumber: receipt.trackingNumber,
        status: "REGISTERED",
        registeredAt: receipt.registeredAt,
        responseDueAt: receipt.responseDueAt,
        closedAt: null,
        outcome: null,
        updates: [
          { at: receipt.registeredAt, message: expect.stringContaining(receipt.trackingNumber) },
        ],
      });
      expect(complaintStatus.updates[0].message).toContain(word);
    }
  });

  it("accepts the code and number as people type them: lower case, spaces instead of dashes", async () => {
    const { receipt } = await submitComplaint(t.public);
    const typed = {
      trackingNumber: ` ${receipt.trackingNumber.toLowerCase()} `,
      accessCode: receipt.accessCode.toLowerCase().replace(/-/g, " "),
    };
    expect(ok(await publicStatus(t.public, typed)).complaintStatus.trackingNumber).toBe(
      receipt.trackingNumber,
    );
  });

  it("shows public messages, the extension and the closure, but never internal notes", async () => {
    const { receipt } = await submitComplaint(t.public, { language: "EN" });
    const id = await complaintId(investigator, receipt.trackingNumber);
    const secret = marker("internal note");
    ok(await investigator.op("AddCaseNote", { input: { complaintId: id, note: secret } }));
    ok(
      await investigator.op("AddCaseNote", {
        input: {
          complaintId: id,
          note: secret,
          publicMessage: "We have requested the body-camera footage.",
        },
      }),
    );
    const until = new Date(Date.parse(receipt.registeredAt) + 40 * 86_400_000).toISOString();
    const { version } = await caseFile(investigator, id);
    ok(
      await investigator.op("ExtendResponseDeadline", {
        input: { complaintId: id, expectedVersion: version, until, reason: secret },
      }),
    );

    const open = ok(await publicStatus(t.public, receipt)).complaintStatus;
    expect(open.responseDueAt).toBe(until);
    expect(open.updates.map((u: { message: string }) => u.message)).toEqual([
      expect.stringContaining("registered"),
      "We have requested the body-camera footage.",
      expect.stringContaining("extended"),
    ]);

    const closed = await closeWithoutFinding(investigator, id);
    const status = ok(await publicStatus(t.public, receipt)).complaintStatus;
    expect(status).toMatchObject({
      status: "CLOSED",
      closedAt: closed.closedAt,
      outcome: "CLOSED_WITHOUT_FINDING",
    });
    expect(status.updates).toHaveLength(4);
    expect(status.updates[3].message).toBe("The handling of your complaint is complete.");
    expect(JSON.stringify(status)).not.toContain(secret);
  });

  it("lists the closure message before the investigator's closing words, which were written with it", async () => {
    for (let i = 0; i < 4; i++) {
      const { receipt } = await submitComplaint(t.public, { language: "EN" });
      await closeWithoutFinding(
        investigator,
        await complaintId(investigator, receipt.trackingNumber),
        "Thank you for your patience.",
      );
      const { updates } = ok(await publicStatus(t.public, receipt)).complaintStatus;
      expect(updates.slice(1).map((u: { message: string }) => u.message)).toEqual([
        "The handling of your complaint is complete.",
        "Thank you for your patience.",
      ]);
    }
  });

  it("answers a wrong code, another complaint's code and an unknown number with the same NOT_FOUND", async () => {
    const { receipt } = await submitComplaint(t.public);
    const other = (await submitComplaint(t.public)).receipt;
    const [, year, seq] = TRACKING_NUMBER.exec(receipt.trackingNumber)!;
    const attempts = [
      { trackingNumber: receipt.trackingNumber, accessCode: "AAAA-BBBB-CCCC-DDDD" },
      { trackingNumber: receipt.trackingNumber, accessCode: other.accessCode },
      { trackingNumber: receipt.trackingNumber, accessCode: "" },
      {
        trackingNumber: `SNM-${year}-${String(Number(seq) + 900_000)
          .padStart(6, "0")
          .slice(-6)}`,
        accessCode: receipt.accessCode,
      },
      { trackingNumber: "SNM-1999-000001", accessCode: receipt.accessCode },
      { trackingNumber: "not a number", accessCode: receipt.accessCode },
      { trackingNumber: "x".repeat(10_000), accessCode: "y".repeat(10_000) },
    ];
    const answers = await Promise.all(attempts.map((a) => publicStatus(t.public, a)));

    for (const answer of answers) {
      expect(answer.data).toBeNull();
      expect(answer.errors).toEqual(answers[0].errors);
    }
    expect(errorOf(answers[0])).toEqual({ code: "NOT_FOUND" });
  });
});

describe("submitComplaintFeedback", () => {
  const feedback = (input: Record<string, unknown>) =>
    t.public.op("SubmitComplaintFeedback", { input });

  async function closedComplaint() {
    const { receipt } = await submitComplaint(t.public);
    const id = await complaintId(investigator, receipt.trackingNumber);
    await closeWithoutFinding(investigator, id);
    return { receipt, id };
  }

  it("takes one rating with an optional comment once the complaint is closed", async () => {
    const { receipt, id } = await closedComplaint();
    const result = await feedback({
      trackingNumber: receipt.trackingNumber,
      accessCode: receipt.accessCode,
      rating: 4,
      comment: "Handled fairly.",
    });
    expect(ok(result).submitComplaintFeedback).toEqual({ accepted: true });

    const row = await complaintRow(t.database.db, receipt.trackingNumber);
    expect(row).toMatchObject({ feedbackRating: 4, feedbackAt: expect.any(Date) });
    expect(
      (await caseFile(investigator, id)).timeline.map((e: { kind: string }) => e.kind),
    ).toContain("FEEDBACK_RECEIVED");

    const again = await feedback({
      trackingNumber: receipt.trackingNumber,
      accessCode: receipt.accessCode,
      rating: 1,
    });
    expect(errorOf(again)).toEqual({ code: "INVALID_STATE" });
    expect((await complaintRow(t.database.db, receipt.trackingNumber)).feedbackRating).toBe(4);
  });

  it("accepts a rating without a comment", async () => {
    const { receipt } = await closedComplaint();
    expect(
      ok(
        await feedback({
          trackingNumber: receipt.trackingNumber,
          accessCode: receipt.accessCode,
          rating: 1,
        }),
      ).submitComplaintFeedback.accepted,
    ).toBe(true);
    expect(await complaintRow(t.database.db, receipt.trackingNumber)).toMatchObject({
      feedbackRating: 1,
      feedbackCommentSealed: null,
    });
  });

  it("records exactly one of many ratings sent at once", async () => {
    const { receipt } = await closedComplaint();
    const results = await Promise.all(
      [1, 2, 3, 4, 5, 1, 2, 3, 4, 5].map((rating) =>
        feedback({
          trackingNumber: receipt.trackingNumber,
          accessCode: receipt.accessCode,
          rating,
        }),
      ),
    );
    const accepted = results.filter((r) => !r.errors);
    expect(accepted).toHaveLength(1);
    for (const r of results.filter((r) => r.errors))
      expect(errorOf(r)).toEqual({ code: "INVALID_STATE" });
    const rating = (results.indexOf(accepted[0]) % 5) + 1;
    expect((await complaintRow(t.database.db, receipt.trackingNumber)).feedbackRating).toBe(rating);
  });

  it("refuses feedback before closure, and after a reopening", async () => {
    const { receipt } = await submitComplaint(t.public);
    expect(
      errorOf(
        await feedback({
          trackingNumber: receipt.trackingNumber,
          accessCode: receipt.accessCode,
          rating: 5,
        }),
      ),
    ).toEqual({ code: "INVALID_STATE" });

    const closed = await closedComplaint();
    const supervisor = await t.as("SUPERVISOR");
    const { version } = await caseFile(supervisor, closed.id);
    ok(
      await supervisor.op("ReopenComplaint", {
        input: { complaintId: closed.id, expectedVersion: version },
      }),
    );
    expect(
      errorOf(
        await feedback({
          trackingNumber: closed.receipt.trackingNumber,
          accessCode: closed.receipt.accessCode,
          rating: 5,
        }),
      ),
    ).toEqual({ code: "INVALID_STATE" });
    expect((await complaintRow(t.database.db, receipt.trackingNumber)).feedbackAt).toBeNull();
    expect(
      (await complaintRow(t.database.db, closed.receipt.trackingNumber)).feedbackAt,
    ).toBeNull();
  });

  it("answers a wrong code with NOT_FOUND, as for an unknown number, even on a closed complaint", async () => {
    const { receipt } = await closedComplaint();
    const wrong = await feedback({
      trackingNumber: receipt.trackingNumber,
      accessCode: "AAAA-BBBB-CCCC-DDDD",
      rating: 5,
    });
    const unknown = await feedback({
      trackingNumber: "SNM-1999-000001",
      accessCode: receipt.accessCode,
      rating: 5,
    });
    expect(errorOf(wrong)).toEqual({ code: "NOT_FOUND" });
    expect(wrong.errors).toEqual(unknown.errors);
    expect((await complaintRow(t.database.db, receipt.trackingNumber)).feedbackAt).toBeNull();
  });

  it.each([
    ["a rating of 0", { rating: 0 }, "input.rating"],
    ["a rating of 6", { rating: 6 }, "input.rating"],
    ["a fractional rating", { rating: 4.5 }, "input.rating"],
    ["a comment over 2000 characters", { rating: 3, comment: "c".repeat(2001) }, "input.comment"],
    ["a NUL byte in the comment", { rating: 3, comment: "fine\u0000" }, "input.comment"],
  ])("refuses %s with BAD_USER_INPUT and records nothing", async (_, overrides, field) => {
    const { receipt } = await closedComplaint();
    const result = await feedback({
      trackingNumber: receipt.trackingNumber,
      accessCode: receipt.accessCode,
      ...overrides,
    });
    expect(result.status).toBeLessThan(500);
    expect(errorOf(result)).toEqual({ code: "BAD_USER_INPUT", field });
    expect((await complaintRow(t.database.db, receipt.trackingNumber)).feedbackAt).toBeNull();
  });
});
