// Chronos's session-wide advisory locks, all in one place so that no two can share a key. They use the
// two-int form pg_advisory_lock(classid, objid), a key space of its own in Postgres (pg_locks shows it
// with objsubid 2): no single-bigint key — hashtextextended of anything a client chooses, or another
// program's lock on the same database — can ever equal one of them. Per-user accept locks are rows, not
// advisory locks (src/db/user-locks.ts).

/** The class id of every Chronos advisory lock ("CHRN" in ASCII). */
export const CHRONOS_LOCK_CLASS = 0x4348524e;

export const ADVISORY_LOCKS = {
  /** Held while migrating: migrators run one at a time. */
  migration: { classId: CHRONOS_LOCK_CLASS, objectId: 1 },
  /** Held by the inclusion tracker's leader for as long as it leads. */
  trackerLeader: { classId: CHRONOS_LOCK_CLASS, objectId: 2 },
} as const;
