import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { openConfiguredDatabase } from "../src/db/open";
// eslint-disable-next-line
const s = require("../src/modules/metrics/suppression");
const orig = s.suppress;
s.suppress = (cells: any[], rels: any[]) => {
  const t0 = performance.now();
  const r = orig(cells, rels);
  console.log("suppress", cells.length, "cells", rels.length, "rels", r.filter(Boolean).length, "hidden", (performance.now() - t0).toFixed(0), "ms");
  return r;
};
const p = require("../src/modules/metrics/publication.service");
(async () => {
  const config = loadConfig(process.env);
  const db = await openConfiguredDatabase(config, createLogger("warn"));
  const t0 = performance.now();
  await p.buildYear(db.db, Number(process.argv[2] ?? 2025));
  console.log("built", (performance.now() - t0).toFixed(0), "ms");
  await db.close();
})();
