import type { Db } from "./db/client";
import { createOfficerLoaders } from "./modules/officer/officer.loader";
import { createPrincipalLoaders } from "./auth/principal.loader";
import { createUnitLoaders } from "./modules/unit/unit.loader";
import { createComplaintLoaders } from "./modules/complaint/complaint.loader";

/** Every module's DataLoaders, created afresh for each request so nothing is cached across callers. */
export const createLoaders = (db: Db, today: string) => ({
  ...createUnitLoaders(db),
  ...createOfficerLoaders(db, today),
  ...createPrincipalLoaders(db),
  ...createComplaintLoaders(db),
});

export type Loaders = ReturnType<typeof createLoaders>;
