import DataLoader from "dataloader";
import { asc, eq } from "drizzle-orm";
import { anyOf, type Db } from "../../db/client";
import { allegations, disciplinaryReviews, reviewAllegations, type AllegationRow, type ReviewRow } from "../../db/schema";
import { byKey, groupByKey } from "../../common/loader";

export const createReviewLoaders = (db: Db) => ({
  reviewById: new DataLoader<string, ReviewRow | null>(async (ids) =>
    byKey(ids, await db.select().from(disciplinaryReviews).where(anyOf(disciplinaryReviews.id, ids)), (r) => r.id),
  ),
  reviewsByOfficerId: new DataLoader<string, ReviewRow[]>(async (ids) =>
    groupByKey(
      ids,
      await db.select().from(disciplinaryReviews).where(anyOf(disciplinaryReviews.officerId, ids)).orderBy(asc(disciplinaryReviews.openedAt)),
      (r) => r.officerId,
    ),
  ),
  /** Reviews that concern any allegation of the complaint. */
  reviewsByComplaintId: new DataLoader<string, ReviewRow[]>(async (ids) => {
    const rows = await db
      .selectDistinct({ complaintId: allegations.complaintId, review: disciplinaryReviews })
      .from(reviewAllegations)
      .innerJoin(allegations, eq(allegations.id, reviewAllegations.allegationId))
      .innerJoin(disciplinaryReviews, eq(disciplinaryReviews.id, reviewAllegations.reviewId))
      .where(anyOf(allegations.complaintId, ids))
      .orderBy(asc(disciplinaryReviews.openedAt));
    return groupByKey(ids, rows, (r) => r.complaintId).map((list) => list.map((r) => r.review));
  }),
  allegationById: new DataLoader<string, AllegationRow | null>(async (ids) =>
    byKey(ids, await db.select().from(allegations).where(anyOf(allegations.id, ids)), (r) => r.id),
  ),
  allegationIdsByReviewId: new DataLoader<string, string[]>(async (ids) =>
    groupByKey(ids, await db.select().from(reviewAllegations).where(anyOf(reviewAllegations.reviewId, ids)), (r) => r.reviewId).map((list) =>
      list.map((r) => r.allegationId),
    ),
  ),
});
