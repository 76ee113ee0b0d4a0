// The client's added tokens, read once every few seconds per client rather than on every operation:
// an added token or a new limit takes effect within the cache's life, as client settings do.
import type { Db } from '../db/connect.js';
import type { ClientToken } from '../db/schema.js';
import { listClientTokenRows } from '../db/client-tokens.js';

export type ClientTokensCache = { get(clientId: string): Promise<ClientToken[]> };

export function createClientTokensCache(db: Db, { ttlMs = 2_000 }: { ttlMs?: number } = {}): ClientTokensCache {
  const entries = new Map<string, { rows: Promise<ClientToken[]>; expiresAt: number }>();
  return {
    get(clientId) {
      const now = Date.now();
      const entry = entries.get(clientId);
      if (entry && entry.expiresAt > now) return entry.rows;
      const rows = listClientTokenRows(db, clientId);
      const fresh = { rows, expiresAt: now + ttlMs };
      entries.set(clientId, fresh);
      // A failed read is not cached: the next request asks again.
      rows.catch(() => {
        if (entries.get(clientId) === fresh) entries.delete(clientId);
      });
      if (entries.size > 10_000) entries.delete(entries.keys().next().value as string);
      return rows;
    },
  };
}
