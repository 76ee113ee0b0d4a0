// Every authenticated request needs its client's current state (revoked? scopes?). A short cache
// keeps that off the database on the hot path while a revocation still takes effect within seconds.
import type { Db } from '../db/connect.js';
import type { Client } from '../db/schema.js';
import { findClient } from '../db/clients.js';

export type ClientCache = { get(id: string): Promise<Client | undefined>; forget(id: string): void };

export function createClientCache(db: Db, { ttlMs = 2_000 }: { ttlMs?: number | undefined } = {}): ClientCache {
  const entries = new Map<string, { client: Client | undefined; expiresAt: number; pending?: Promise<Client | undefined> }>();
  return {
    async get(id) {
      const now = Date.now();
      const entry = entries.get(id);
      if (entry && entry.expiresAt > now) return entry.client;
      if (entry?.pending) return entry.pending;
      const pending = findClient(db, id).then(
        (client) => {
          entries.set(id, { client, expiresAt: Date.now() + ttlMs });
          return client;
        },
        (error) => {
          entries.delete(id);
          throw error;
        },
      );
      entries.set(id, { client: entry?.client, expiresAt: 0, pending });
      if (entries.size > 10_000) entries.delete(entries.keys().next().value as string);
      return pending;
    },
    forget(id) {
      entries.delete(id);
    },
  };
}
