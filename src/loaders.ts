import type { Db } from "./db/client";
import { createOfficerLoaders } from "./modules/officer/officer.loader";
import { createPrincipalLoaders } from "./auth/principal.loader";
import { createUnitLoaders } from "./modules/unit/unit.loader";
import { createComplaintLoaders } from "./modules/complaint/complaint.loader";
import { createReviewLoaders } from "./modules/review/review.loader";
import { createStandingLoaders, standingValues } from "./modules/standing/standing.service";
import { officerPartsLoader, type OfficerPartsLoader } from "./modules/officer/officer.parts";
import { createOfficerHistoryLoaders } from "./modules/officer/history.loader";

/**
 * Every module's DataLoaders, created afresh for each request so nothing is cached across callers. A
 * module's loaders are made when the request first reads one of them: most requests use one or two
 * modules, and making all of them cost every request's garbage collector.
 */
export const createLoaders = (db: Db, now: Date, today: string) => {
  let officerParts: OfficerPartsLoader | undefined;
  // Shared by the officer, standing and history loaders: what they ask in one tick is one statement.
  const parts = () => (officerParts ??= officerPartsLoader(db, standingValues(now, today)));
  const loaders = lazily({
    unit: () => createUnitLoaders(db),
    officer: () => createOfficerLoaders(db, parts, (unit) => loaders.unitById.prime(unit.id, unit)),
    principal: () => createPrincipalLoaders(db),
    complaint: () => createComplaintLoaders(db),
    review: () => createReviewLoaders(db),
    standing: () => createStandingLoaders(parts, now),
    history: () => createOfficerHistoryLoaders(db, parts),
  });
  return loaders;
};

type Merged<T extends Record<string, () => object>> = UnionToIntersection<ReturnType<T[keyof T]>>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (
  i: infer I,
) => void
  ? I
  : never;

/** One object with every group's members, each group made on first read of any of its members. */
function lazily<T extends Record<string, () => object>>(groups: T): Merged<T> {
  const out = {} as Record<string, unknown>;
  for (const [name, make] of Object.entries(groups)) {
    const keys = KEYS.get(name) ?? KEYS.set(name, Object.keys(make())).get(name)!;
    let made: Record<string, unknown> | undefined;
    for (const key of keys)
      Object.defineProperty(out, key, {
        enumerable: true,
        get: () => (made ??= make() as Record<string, unknown>)[key],
      });
  }
  return out as Merged<T>;
}

/** Each group's member names, learnt once by making it. */
const KEYS = new Map<string, string[]>();

export type Loaders = ReturnType<typeof createLoaders>;
