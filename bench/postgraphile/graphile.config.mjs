// PostGraphile 5 (Amber preset) over Senim's own database, for `npm run bench -- --compare URL`: see README,
// "Performance". Not part of Senim; run it from a scratch folder (it needs Node 22).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

export default {
  extends: [PostGraphileAmberPreset],
  // Every column can be ordered and filtered on, as in Senim's own API (by default only indexed ones).
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [makePgService({ connectionString: process.env.DATABASE_URL, schemas: ["public"] })],
  grafserv: { port: Number(process.env.PORT ?? 5678), host: "127.0.0.1" },
};
