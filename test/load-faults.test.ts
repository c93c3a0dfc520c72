import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { TRANSIENT_FAULT } from "../src/graphql/format-error";
import { runCli } from "./helpers/audit";
import { complaintInput } from "./helpers/complaints";
import { onPostgres, openPrivateDatabase } from "./helpers/database";
import {
  appName,
  backendsOf,
  intakeLedger,
  numberingGaps,
  readyStatus,
  startSenimOn,
  submitTo,
  terminate,
  type SubmitResult,
} from "./helpers/faults";
import { stopAll } from "./helpers/process";

// Bounded in count (FORMS) and in attempts; alone it takes 70-100 s on a 2-core machine, more beside the
// rest of the suite, so it gets the same 300 s as the other heavy files.
jest.setTimeout(300_000);
afterAll(stopAll);

const FORMS = 500;
const CLIENTS = 8;
/** A client gives up on a form after this many attempts; none should need more than a few. */
const MAX_ATTEMPTS = 25;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const onPostgresOnly = onPostgres ? describe : describe.skip;

onPostgresOnly(
  "submissions under load while PostgreSQL connections are killed (PostgreSQL only)",
  () => {
    it("acknowledges every form with exactly one complaint, one audit record each, gapless numbers and a chain that verifies", async () => {
      const own = await openPrivateDatabase();
      const db = own.database.db;
      const apps = [appName("load-a"), appName("load-b")];
      const senims = await Promise.all(
        apps.map((app) => startSenimOn(own.url!, app, { DB_POOL_MAX: "4" })),
      );
      try {
        const forms = Array.from({ length: FORMS }, (_, i) =>
          complaintInput({ incidentPlace: `load-${i}-${randomUUID()}` }),
        );
        const receipts = new Map<string, NonNullable<SubmitResult["receipt"]>>(); // by idempotency key
        const unexpected: SubmitResult[] = [];
        const gaveUp: string[] = [];
        const figures = {
          forms: FORMS,
          clients: CLIENTS,
          requests: 0,
          retries: 0,
          killRounds: 0,
          connectionsKilled: 0,
          errorsSeen: 0,
          maskedRetryable: 0,
          otherErrors: 0,
          networkErrors: 0,
        };

        // The side task: every 200 to 500 ms, terminate every connection both servers hold; but never twice
        // without a form acknowledged in between, so that a machine slowed by other work (where every
        // request outlasts the interval) cannot be starved by the test itself.
        let loading = true;
        const killer = (async () => {
          let acknowledgedAtLastKill = -1;
          while (loading) {
            await sleep(200 + Math.random() * 300);
            if (receipts.size === acknowledgedAtLastKill) continue;
            acknowledgedAtLastKill = receipts.size;
            const pids = (await Promise.all(apps.map((app) => backendsOf(db, app)))).flat();
            figures.connectionsKilled += await terminate(db, pids);
            figures.killRounds++;
          }
        })();

        // Clients: each takes the next form and sends it until it has a receipt, the same form (same key) every time,
        // alternating processes as a load balancer might.
        let next = 0;
        const started = Date.now();
        const client = async () => {
          for (let i = next++; i < FORMS; i = next++) {
            const form = forms[i];
            for (let attempt = 1; ; attempt++) {
              figures.requests++;
              const result = await submitTo(
                senims[(i + attempt) % 2].origin,
                form,
                `load-${randomUUID()}`,
              );
              if (result.receipt) {
                receipts.set(form.idempotencyKey, result.receipt);
                break;
              }
              figures.errorsSeen++;
              if (result.networkError) figures.networkErrors++;
              else if (result.error?.message === TRANSIENT_FAULT) figures.maskedRetryable++;
              else {
                figures.otherErrors++;
                unexpected.push(result);
              }
              if (attempt === MAX_ATTEMPTS) {
                gaveUp.push(form.idempotencyKey);
                break;
              }
              figures.retries++;
              await sleep(5 * attempt + Math.random() * 20);
            }
          }
        };
        await Promise.all(Array.from({ length: CLIENTS }, client));
        const seconds = Math.round((Date.now() - started) / 100) / 10; // printed, not asserted
        loading = false;
        await killer;

        // Afterwards, every form sent once more (a client unsure it was heard): the same receipt, nothing new.
        const replays = await Promise.all(
          forms
            .slice(0, 50)
            .map((form, i) => submitTo(senims[i % 2].origin, form, `replay-${randomUUID()}`)),
        );
        replays.forEach((replay, i) =>
          expect(replay.receipt).toEqual(receipts.get(forms[i].idempotencyKey)),
        );

        const ledger = await intakeLedger(db);
        const complaintByKey = new Map(ledger.complaints.map((c) => [c.key, c]));
        const sentKeys = new Set<string>(forms.map((f) => f.idempotencyKey));
        const lost = [...receipts].filter(
          ([key, receipt]) => complaintByKey.get(key)?.trackingNumber !== receipt.trackingNumber,
        );
        const rerunInServer = senims
          .flatMap((s) => s.logLines())
          .filter((line) => line.msg.includes("running it again")).length;
        const verify = await runCli("audit-verify", [], { DATABASE_URL: own.url! });
        const summary = {
          seconds,
          ...figures,
          acknowledged: receipts.size,
          gaveUp: gaveUp.length,
          transactionsRerunInServer: rerunInServer,
          complaints: ledger.complaints.length,
          auditRecords: ledger.auditedIds.length,
          recordsLost: lost.length,
          chain: verify.stdout.trim(),
        };
        console.log(`load under faults: ${JSON.stringify(summary)}`);

        expect(unexpected).toEqual([]);
        expect(gaveUp).toEqual([]);
        expect(lost).toEqual([]);
        expect(figures.connectionsKilled).toBeGreaterThan(0);
        // Every complaint came from a form a client sent, once per key, and every acknowledged key has its complaint.
        expect(ledger.complaints.filter((c) => !c.key || !sentKeys.has(c.key))).toEqual([]);
        expect(ledger.complaints).toHaveLength(receipts.size);
        expect(numberingGaps(ledger.complaints.map((c) => c.trackingNumber))).toEqual([]);
        // One audit record per complaint created, none for anything else.
        expect([...ledger.auditedIds].sort()).toEqual(ledger.complaints.map((c) => c.id).sort());
        expect(verify.code).toBe(0);
        expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, firstBrokenSeq: null });
        for (const senim of senims) {
          expect(senim.child.exitCode).toBeNull();
          expect(await readyStatus(senim.origin)).toBe(200);
        }
      } finally {
        await Promise.all(senims.map((s) => s.stop()));
        await own.drop();
      }
    });
  },
);
