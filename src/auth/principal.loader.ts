import DataLoader from "dataloader";
import { sql } from "drizzle-orm";
import { anyOf, list, prepared, type Db } from "../db/client";
import { principals } from "../db/schema";
import { byKey } from "../common/loader";
import type { Principal } from "./token";

const principalsById = prepared((db) =>
  db
    .select({ id: principals.id, name: principals.name, role: principals.role })
    .from(principals)
    .where(anyOf(principals.id, sql.placeholder("ids")))
    .prepare(""),
);

export const createPrincipalLoaders = (db: Db) => ({
  principalById: new DataLoader<string, Principal | null>(async (ids) => byKey(ids, await principalsById(db, { ids: list(ids) }), (r) => r.id)),
});
