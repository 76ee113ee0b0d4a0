// A bounded cache of values that take a round trip to make, one promise per key: concurrent askers
// share one attempt, a failed attempt is not kept (the next asker tries again), and past `max` keys
// the least recently used goes first.

export type PromiseCache<K, V> = {
  /** The cached value for `key`, or the one `create` makes (kept unless it fails). */
  get(key: K, create: () => Promise<V>): Promise<V>;
  readonly size: number;
};

export function createPromiseCache<K, V>({ max }: { max: number }): PromiseCache<K, V> {
  const entries = new Map<K, Promise<V>>();
  return {
    get(key, create) {
      const hit = entries.get(key);
      if (hit) {
        // Map order is insertion order: re-inserting makes it the most recently used.
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const made = create();
      entries.set(key, made);
      made.catch(() => {
        if (entries.get(key) === made) entries.delete(key);
      });
      while (entries.size > max) entries.delete(entries.keys().next().value as K);
      return made;
    },
    get size() {
      return entries.size;
    },
  };
}
