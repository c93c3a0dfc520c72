import { asc, gt } from "drizzle-orm";
import type { Queryable } from "../db/client";
import { auditLog } from "../db/schema";
import { chainHash, GENESIS_HASH } from "./audit.writer";

export interface ChainReport {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
}

/** Walks the whole chain in order, recomputing each hash; a gap in `seq` is a break too. */
export async function verifyChain(db: Queryable, batch = 5000): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let prevSeq = 0;
  let checked = 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, prevSeq))
      .orderBy(asc(auditLog.seq))
      .limit(batch);
    for (const row of page) {
      const { prevHash: storedPrev, hash, ...record } = row;
      const broken =
        row.seq !== prevSeq + 1 || storedPrev !== prevHash || hash !== chainHash(prevHash, record);
      if (broken) return { ok: false, checked, firstBrokenSeq: row.seq };
      checked++;
      prevSeq = row.seq;
      prevHash = hash;
    }
    if (page.length < batch) return { ok: true, checked, firstBrokenSeq: null };
  }
}
