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

export type AdvisoryLock = (typeof ADVISORY_LOCKS)[keyof typeof ADVISORY_LOCKS];

/** Anything that runs a parameterised query on one session (a pg client checked out of the pool). */
type Session = { query<R extends object>(text: string, values: unknown[]): Promise<{ rows: R[] }> };

/** Takes `lock` for this session if it is free; false when another session holds it. */
export async function tryAdvisoryLock(session: Session, lock: AdvisoryLock): Promise<boolean> {
  const { rows } = await session.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [lock.classId, lock.objectId]);
  return rows[0].ok;
}

export async function advisoryUnlock(session: Session, lock: AdvisoryLock): Promise<void> {
  await session.query('select pg_advisory_unlock($1, $2)', [lock.classId, lock.objectId]);
}
