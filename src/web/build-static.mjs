// Part of `npm run build`: the public trust page, with its charting library vendored from node_modules,
// next to the compiled server (dist/src/web/trust), which serves it at /trust. No CDN: the page's CSP
// allows scripts from its own origin only.
import { copyFileSync, cpSync, mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const out = join(root, "dist", "src", "web", "trust");
const library = dirname(createRequire(import.meta.url).resolve("uplot"));
const VENDORED = ["uPlot.iife.min.js", "uPlot.min.css"];

rmSync(out, { recursive: true, force: true });
cpSync(join(here, "trust"), out, { recursive: true });
mkdirSync(join(out, "vendor"), { recursive: true });
for (const file of VENDORED) copyFileSync(join(library, file), join(out, "vendor", file));
copyFileSync(join(library, "..", "LICENSE"), join(out, "vendor", "uPlot.LICENSE"));
