// Starts the built server (dist/, `npm run build`) on the database the environment names, opens the public
// trust page in Debian's Chromium and saves a picture of it. Run from the project root:
//   DATABASE_URL=postgres://... node .ci/screenshot.mjs [docs/trust-page.png]
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { resolve } from "node:path";
import puppeteer from "puppeteer-core";

const out = resolve(process.argv[2] ?? "docs/trust-page.png");
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const server = spawn(process.execPath, ["dist/src/main.js"], {
  env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info" },
  stdio: ["ignore", "pipe", "inherit"],
});
const port = await new Promise((found, fail) => {
  server.once("exit", (code) => fail(new Error(`the server exited (${code}) before listening`)));
  createInterface({ input: server.stdout }).on("line", (line) => {
    try {
      const entry = JSON.parse(line);
      if (entry.port && /listening/.test(entry.msg)) found(entry.port);
    } catch {}
  });
});

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
  await page.setViewport({ width: 1280, height: 900, deviceScaleFactor: 1 });
  await page.goto(`http://127.0.0.1:${port}/trust?lang=en`, { waitUntil: "domcontentloaded" });
  // The server builds the public figures when it starts: on the smoke seed, many small cells make that
  // tens of seconds of suppression on a busy machine, and the page's first answers wait for it.
  await page.waitForFunction(
    `document.querySelector("main").getAttribute("aria-busy") === "false"`,
    { timeout: 300_000 },
  );
  await page.waitForNetworkIdle({ idleTime: 500, timeout: 60_000 });
  if (problems.length) throw new Error(`the page reported errors:\n${problems.join("\n")}`);
  await page.screenshot({ path: out, fullPage: true });
  console.log(out);
} finally {
  await browser.close();
  server.kill("SIGTERM");
}
