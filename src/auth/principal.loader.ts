import DataLoader from "dataloader";
import { anyOf, type Db } from "../db/client";
import { principals } from "../db/schema";
import { byKey } from "../common/loader";
import type { Principal } from "./token";

export const createPrincipalLoaders = (db: Db) => ({
  principalById: new DataLoader<string, Principal | null>(async (ids) =>
    byKey(
      ids,
      await db.select({ id: principals.id, name: principals.name, role: principals.role }).from(principals).where(anyOf(principals.id, ids)),
      (r) => r.id,
    ),
  ),
});
