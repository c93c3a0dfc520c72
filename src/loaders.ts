import type { Db } from "./db/client";
import { createOfficerLoaders } from "./modules/officer/officer.loader";
import { createPrincipalLoaders } from "./auth/principal.loader";
import { createUnitLoaders } from "./modules/unit/unit.loader";
import { createComplaintLoaders } from "./modules/complaint/complaint.loader";
import { createReviewLoaders } from "./modules/review/review.loader";
import { createStandingLoaders } from "./modules/standing/standing.service";
import { createOfficerHistoryLoaders } from "./modules/officer/history.loader";

/** Every module's DataLoaders, created afresh for each request so nothing is cached across callers. */
export const createLoaders = (db: Db, now: Date, today: string) => ({
  ...createUnitLoaders(db),
  ...createOfficerLoaders(db),
  ...createPrincipalLoaders(db),
  ...createComplaintLoaders(db),
  ...createReviewLoaders(db),
  ...createStandingLoaders(db, now, today),
  ...createOfficerHistoryLoaders(db),
});

export type Loaders = ReturnType<typeof createLoaders>;
