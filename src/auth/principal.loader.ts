import DataLoader from "dataloader";
import { anyOf, byKeys, type Db } from "../db/client";
import { principals } from "../db/schema";
import { byKey } from "../common/loader";
import { principalColumns, type Principal } from "./token";

const principalsById = byKeys((db, keys) =>
  db.select(principalColumns).from(principals).where(anyOf(principals.id, keys)).prepare(""),
);

export const createPrincipalLoaders = (db: Db) => ({
  principalById: new DataLoader<string, Principal | null>(async (ids) =>
    byKey(ids, await principalsById(db, ids), (r) => r.id),
  ),
});
