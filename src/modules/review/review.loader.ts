import DataLoader from "dataloader";
import { asc, eq } from "drizzle-orm";
import { anyOf, byKeys, type Db } from "../../db/client";
import {
  allegations,
  disciplinaryReviews,
  reviewAllegations,
  type AllegationRow,
  type ReviewRow,
} from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";

const reviewsById = byKeys((db, keys) =>
  db.select().from(disciplinaryReviews).where(anyOf(disciplinaryReviews.id, keys)).prepare(""),
);
const reviewsOfOfficers = byKeys((db, keys) =>
  db
    .select()
    .from(disciplinaryReviews)
    .where(anyOf(disciplinaryReviews.officerId, keys))
    .orderBy(asc(disciplinaryReviews.openedAt))
    .prepare(""),
);
/** Reviews that concern any allegation of the complaint. */
const reviewsOfComplaints = byKeys((db, keys) =>
  db
    .selectDistinct({ complaintId: allegations.complaintId, review: disciplinaryReviews })
    .from(reviewAllegations)
    .innerJoin(allegations, eq(allegations.id, reviewAllegations.allegationId))
    .innerJoin(disciplinaryReviews, eq(disciplinaryReviews.id, reviewAllegations.reviewId))
    .where(anyOf(allegations.complaintId, keys))
    .orderBy(asc(disciplinaryReviews.openedAt))
    .prepare(""),
);
const allegationsById = byKeys((db, keys) =>
  db.select().from(allegations).where(anyOf(allegations.id, keys)).prepare(""),
);
const allegationsOfReviews = byKeys((db, keys) =>
  db.select().from(reviewAllegations).where(anyOf(reviewAllegations.reviewId, keys)).prepare(""),
);

export const createReviewLoaders = (db: Db) => ({
  reviewById: new DataLoader<string, ReviewRow | null>(async (ids) =>
    byKey(ids, await reviewsById(db, ids), (r) => r.id),
  ),
  reviewsByOfficerId: new DataLoader<string, ReviewRow[]>(async (ids) =>
    groupByKey(ids, await reviewsOfOfficers(db, ids), (r) => r.officerId),
  ),
  reviewsByComplaintId: new DataLoader<string, ReviewRow[]>(async (ids) =>
    groupByKey(ids, await reviewsOfComplaints(db, ids), (r) => r.complaintId).map((found) =>
      found.map((r) => r.review),
    ),
  ),
  allegationById: new DataLoader<string, AllegationRow | null>(async (ids) =>
    byKey(ids, await allegationsById(db, ids), (r) => r.id),
  ),
  allegationIdsByReviewId: new DataLoader<string, string[]>(async (ids) =>
    groupByKey(ids, await allegationsOfReviews(db, ids), (r) => r.reviewId).map((found) =>
      found.map((r) => r.allegationId),
    ),
  ),
});
