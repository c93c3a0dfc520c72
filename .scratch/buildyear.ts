import { loadConfig } from "../src/config";
import { createLogger } from "../src/logger";
import { openConfiguredDatabase } from "../src/db/open";
import { buildYear } from "../src/modules/metrics/publication.service";
(async () => {
  const config = loadConfig(process.env);
  const db = await openConfiguredDatabase(config, createLogger("warn"));
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const y = await buildYear(db.db, Number(process.argv[2] ?? 2025));
    console.log("built", (performance.now() - t0).toFixed(0), "ms", y.year);
  }
  await db.close();
})();
