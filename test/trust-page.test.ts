import { existsSync } from "node:fs";
import { parse, print } from "graphql";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { loadConfig } from "../src/config";
import { loadKeyRing } from "../src/crypto/keys";
import { createLogger } from "../src/logger";
import { seedDemo } from "../src/cli/seed";
import { TRUST_PAGE_CSP } from "../src/web/static";
import { contractOperation } from "./helpers/contract";
import { testAuditKeys } from "./helpers/database";
import { ok, startTestServer, type TestServer } from "./helpers/server";

/*
 * The public trust page in a real browser (Debian's Chromium, driven by puppeteer-core) against a seeded
 * server: what it shows must be what the public operations return.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

let seeded: TestServer;
let t: TestServer;
let browser: Browser;
let page: Page;
let origin: string;
/** Console errors, uncaught exceptions, failed requests and CSP violations seen by the page. */
const problems: string[] = [];
/** Every GraphQL request the page sent. */
const sent: { query: string; operationName: string; variables: Record<string, unknown> }[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `No Chromium at ${CHROMIUM}. Install Debian's (apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH.`,
    );
  seeded = await startTestServer({}, { privateDatabase: true });
  const config = loadConfig({ NODE_ENV: "test", ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS });
  await seedDemo(
    seeded.database.db,
    { keys: loadKeyRing(config, createLogger("silent")), auditKeys: testAuditKeys() },
    { officers: 300, complaints: 900, seed: 11, districtsPerRegion: 2, batch: 500 },
    () => {},
  );
  // Served as in production, each year's public figures built once: nothing is written from here on.
  t = await startTestServer(
    { PUBLIC_METRICS_REFRESH_SECONDS: "3600" },
    { database: seeded.database },
  );
  origin = new URL(t.url).origin;
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  // Reported by the harness, outside the page: the page itself runs nothing but its own files.
  await page.evaluateOnNewDocument(`document.addEventListener("securitypolicyviolation", (e) =>
    console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI))`);
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warn") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${String(e)}`));
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === "/graphql" && r.method() === "POST")
      sent.push(JSON.parse(r.postData() ?? "{}"));
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await seeded?.close();
});

afterEach(() => expect(problems).toEqual([]));

const ready = () =>
  page.waitForFunction(`document.querySelector("main")?.getAttribute("aria-busy") === "false"`);

async function open(query: string) {
  await page.goto(`${origin}/trust${query}`, { waitUntil: "load" });
  await ready();
}

interface Shown {
  field: string;
  value: string;
  suppressed: boolean;
  text: string;
}

/** The figures shown in cells under `selector` (data-field), as the test reads them. */
const shown = (selector: string): Promise<Shown[]> =>
  page.$$eval(`${selector} [data-field]`, (cells) =>
    cells.map((c) => {
      const cell = c as any;
      return {
        field: cell.dataset.field!,
        value: cell.dataset.value!,
        suppressed: cell.dataset.suppressed === "true" && cell.classList.contains("suppressed"),
        text: cell.textContent!,
      };
    }),
  );

const valueOf = (metrics: any, field: string) =>
  field === "satisfaction" ? metrics.satisfaction.averageRating : metrics[field];
const pathOf = (field: string) => (field === "satisfaction" ? "satisfaction.averageRating" : field);

/** The cells as the API's figures would fill them: hidden ones marked, others with the exact value. */
const expected = (metrics: any, fields: string[]) =>
  fields.map((field) => {
    const suppressed = metrics.suppressedFields.includes(pathOf(field));
    const value = valueOf(metrics, field);
    return { field, suppressed, value: suppressed || value === null ? "" : String(value) };
  });
const withoutText = (cells: Shown[]) =>
  cells.map(({ field, value, suppressed }) => ({ field, value, suppressed }));

const FIGURES = [
  "complaintsReceived",
  "complaintsPer100Officers",
  "sustainRate",
  "medianDaysToClose",
  "closedWithinDeadlineRate",
  "openCases",
  "overdueCases",
  "commendations",
  "satisfaction",
];
const TABLE = ["complaintsReceived", "complaintsPer100Officers", "sustainRate", "overdueCases"];
const CHARTED = ["complaintsReceived", "sustainRate", "medianDaysToClose"];

const lastYear = new Date().getFullYear() - 1;
const year = { from: `${lastYear}-01-01`, to: `${lastYear + 1}-01-01` };
const monthStart = (offset: number) => {
  const now = new Date();
  const d = new Date(Date.UTC(now.getFullYear(), now.getMonth() + offset, 1));
  return d.toISOString().slice(0, 10);
};
const months24 = { from: monthStart(-24), to: monthStart(0), interval: "MONTH" };

const publicMetrics = async (scope: string) =>
  ok(await t.public.op("TrustMetrics", { scope, ...year })).trustMetrics;
const publicSeries = async (scope: string) =>
  ok(await t.public.op("TrustMetricsSeries", { scope, ...months24 })).trustMetricsSeries;

async function expectSeries(scope: string) {
  const series = await publicSeries(scope);
  expect(await page.$eval("#charts", (el) => (el as any).dataset.unit)).toBe(scope);
  expect(await page.$$eval("#charts figure canvas", (c) => c.length)).toBe(CHARTED.length);
  const months = await page.$$eval("#series tbody tr", (rows) =>
    rows.map((r) => (r as any).dataset.from),
  );
  expect(months).toEqual(series.map((p: { from: string }) => p.from));
  expect(months).toHaveLength(24);
  expect(withoutText(await shown("#series tbody"))).toEqual(
    series.flatMap((point: unknown) => expected(point, CHARTED)),
  );
}

describe("the public trust page at /trust", () => {
  it("is served as static files under a strict Content-Security-Policy", async () => {
    const html = await fetch(`${origin}/trust`);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(html.headers.get("content-security-policy")).toBe(TRUST_PAGE_CSP);
    expect(html.headers.get("x-content-type-options")).toBe("nosniff");
    expect(html.headers.get("cache-control")).toBe("no-cache");
    const text = await html.text();
    // Nothing inline for the CSP to have to allow.
    expect(text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(text).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const etag = html.headers.get("etag")!;
    expect((await fetch(`${origin}/trust/`, { headers: { "if-none-match": etag } })).status).toBe(
      304,
    );

    const script = await fetch(`${origin}/trust/app.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const library = await fetch(`${origin}/trust/vendor/uPlot.iife.min.js`, { method: "HEAD" });
    expect([library.status, library.headers.get("cache-control")]).toEqual([
      200,
      "public, max-age=3600",
    ]);
    for (const path of [
      "/trust/nope.js",
      "/trust/../package.json",
      "/trust/%2e%2e/package.json",
      "/trust/..%2fpackage.json",
      "/trust/.hidden.js",
      "/trust/vendor/../../server.js",
      "/trust//app.js",
      "/trust/vendor/uPlot.LICENSE",
    ]) {
      expect([path, (await fetch(`${origin}${path}`)).status]).toEqual([path, 404]);
    }
    const post = await fetch(`${origin}/trust`, { method: "POST", body: "x" });
    expect([post.status, post.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
  });

  it("shows the nation's figures for the last complete year as the public API gives them", async () => {
    await open("?lang=en");
    const nation = await publicMetrics("MVD");
    expect(
      await page.$eval("#nation", (el) => [(el as any).dataset.from, (el as any).dataset.to]),
    ).toEqual([year.from, year.to]);
    const cells = await shown("#nation");
    expect(withoutText(cells)).toEqual(expected(nation, FIGURES));
    expect(nation.complaintsReceived).toBeGreaterThan(0);
    const received = cells.find((c) => c.field === "complaintsReceived")!;
    expect(received.text).toBe(new Intl.NumberFormat("en-GB").format(nation.complaintsReceived));
    // The regions' table is the nation's children.
    expect(
      await page.$$eval("#units tbody tr", (rows) => rows.map((r) => (r as any).dataset.unit)),
    ).toEqual(nation.children.map((c: { unit: { code: string } }) => c.unit.code));
    expect(withoutText(await shown("#units tbody"))).toEqual(
      nation.children.flatMap((c: unknown) => expected(c, TABLE)),
    );
  });

  it("switches language: the words change, the numbers stay", async () => {
    const english = {
      heading: await page.$eval("h1", (h) => h.textContent),
      cells: withoutText(await shown("#nation")),
    };
    for (const lang of ["kk", "ru"]) {
      await page.click(`#languages button[data-lang="${lang}"]`);
      await page.waitForFunction(`document.documentElement.lang === "${lang}"`);
      expect(await page.$eval("h1", (h) => h.textContent)).not.toBe(english.heading);
      const cells = await shown("#nation");
      expect(withoutText(cells)).toEqual(english.cells);
      // Written the language's way (1 665 where English has 1,665), the same number.
      const received = cells.find((c) => c.field === "complaintsReceived")!;
      expect(received.text.replace(/\D/g, "")).toBe(received.value);
      const per100 = cells.find((c) => c.field === "complaintsPer100Officers")!;
      expect(per100.text).toBe(Number(per100.value).toFixed(1).replace(".", ","));
      expect(new URL(page.url()).searchParams.get("lang")).toBe(lang);
    }
    expect(await page.$eval("h1", (h) => h.textContent)).toMatch(/доверия/);
  });

  it("draws the nation's last 24 months as the series operation returns them", async () => {
    await expectSeries("MVD");
  });

  it("shows a picked region's districts, and its series, as the API's children and points", async () => {
    const nation = await publicMetrics("MVD");
    const code = nation.children[3].unit.code;
    await page.select("#region", code);
    await page.waitForFunction(`document.getElementById("units").dataset.unit === "${code}"`);
    await ready();
    const region = await publicMetrics(code);
    expect(region.children.length).toBe(2);
    expect(
      await page.$$eval("#units tbody tr", (rows) =>
        rows.map((r) => [(r as any).dataset.unit, r.querySelector("th")!.textContent]),
      ),
    ).toEqual(
      region.children.map((c: { unit: { code: string; name: string } }) => [
        c.unit.code,
        c.unit.name,
      ]),
    );
    expect(withoutText(await shown("#units tbody"))).toEqual(
      region.children.flatMap((c: unknown) => expected(c, TABLE)),
    );
    expect(withoutText(await shown("#selected"))).toEqual(expected(region, FIGURES));
    expect(await page.$eval("#units-title", (h) => h.textContent)).toContain(region.unit.name);
    await expectSeries(code);
    expect(new URL(page.url()).searchParams.get("region")).toBe(code);
  });

  it("marks every figure the API suppressed, and only those", async () => {
    const marked = await page.$$eval("[data-suppressed]", (cells) =>
      cells.map((c) => [c.className, c.textContent, (c as any).title]),
    );
    expect(marked.length).toBeGreaterThan(0);
    for (const [className, text, title] of marked) {
      expect(className).toContain("suppressed");
      expect(text).toBe("n<5");
      expect(title).toMatch(/5/);
    }
    // Each mark is on a figure the comparisons above matched with the API's suppressedFields.
    let compared = 0;
    for (const selector of ["#nation", "#selected", "#units tbody", "#series tbody"])
      compared += (await shown(selector)).filter((c) => c.suppressed).length;
    expect(compared).toBe(marked.length);
  });

  it("sends the published operations as written, and nothing else", () => {
    expect(sent.length).toBeGreaterThan(0);
    for (const request of sent) {
      expect(print(parse(request.query))).toBe(contractOperation(request.operationName));
      expect(["TrustMetrics", "TrustMetricsSeries"]).toContain(request.operationName);
    }
  });
});
