import DataLoader from "dataloader";
import { asc, eq, sql } from "drizzle-orm";
import { anyOf, list, prepared, type Db } from "../../db/client";
import { allegations, disciplinaryReviews, reviewAllegations, type AllegationRow, type ReviewRow } from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";

const KEYS = sql.placeholder("keys");
const reviewsById = prepared((db) => db.select().from(disciplinaryReviews).where(anyOf(disciplinaryReviews.id, KEYS)).prepare(""));
const reviewsOfOfficers = prepared((db) =>
  db.select().from(disciplinaryReviews).where(anyOf(disciplinaryReviews.officerId, KEYS)).orderBy(asc(disciplinaryReviews.openedAt)).prepare(""),
);
/** Reviews that concern any allegation of the complaint. */
const reviewsOfComplaints = prepared((db) =>
  db
    .selectDistinct({ complaintId: allegations.complaintId, review: disciplinaryReviews })
    .from(reviewAllegations)
    .innerJoin(allegations, eq(allegations.id, reviewAllegations.allegationId))
    .innerJoin(disciplinaryReviews, eq(disciplinaryReviews.id, reviewAllegations.reviewId))
    .where(anyOf(allegations.complaintId, KEYS))
    .orderBy(asc(disciplinaryReviews.openedAt))
    .prepare(""),
);
const allegationsById = prepared((db) => db.select().from(allegations).where(anyOf(allegations.id, KEYS)).prepare(""));
const allegationsOfReviews = prepared((db) => db.select().from(reviewAllegations).where(anyOf(reviewAllegations.reviewId, KEYS)).prepare(""));

export const createReviewLoaders = (db: Db) => ({
  reviewById: new DataLoader<string, ReviewRow | null>(async (ids) => byKey(ids, await reviewsById(db, { keys: list(ids) }), (r) => r.id)),
  reviewsByOfficerId: new DataLoader<string, ReviewRow[]>(async (ids) =>
    groupByKey(ids, await reviewsOfOfficers(db, { keys: list(ids) }), (r) => r.officerId),
  ),
  reviewsByComplaintId: new DataLoader<string, ReviewRow[]>(async (ids) =>
    groupByKey(ids, await reviewsOfComplaints(db, { keys: list(ids) }), (r) => r.complaintId).map((found) => found.map((r) => r.review)),
  ),
  allegationById: new DataLoader<string, AllegationRow | null>(async (ids) => byKey(ids, await allegationsById(db, { keys: list(ids) }), (r) => r.id)),
  allegationIdsByReviewId: new DataLoader<string, string[]>(async (ids) =>
    groupByKey(ids, await allegationsOfReviews(db, { keys: list(ids) }), (r) => r.reviewId).map((found) => found.map((r) => r.allegationId)),
  ),
});
