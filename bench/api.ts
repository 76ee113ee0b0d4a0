// The bench's client backend: one registered client per phase (limits raised, no quota policy), its
// access token, and the few API calls the phases make outside the load generators.
import { getAddress, type Address } from 'viem';
import { createClient } from '../src/admin/clients.js';
import { createDb, createPool } from '../src/db/connect.js';

/** Rate limits far above anything this machine can send, so the limiter counts but never refuses. */
export const UNLIMITED_RATE_LIMITS = { general: 100_000_000, minting: 100_000_000, external: 100_000_000, auth: 1_000 };

export type BenchClient = { clientId: string; clientSecret: string; webhookSecret: string; token: string; apiUrl: string };

/** Registers the client straight in the database (what `chronos clients create --rate-limit …` does). */
export async function registerClient(databaseUrl: string, { webhookUrl }: { webhookUrl?: string } = {}) {
  const pool = createPool({ connectionString: databaseUrl, max: 1 });
  const db = createDb(pool);
  try {
    const { client, clientSecret, webhookSecret } = await createClient(db, { name: 'bench', webhookUrl, rateLimits: UNLIMITED_RATE_LIMITS });
    return { clientId: client.clientId, clientSecret, webhookSecret };
  } finally {
    await db.destroy();
  }
}

export async function connectClient(apiUrl: string, registered: Awaited<ReturnType<typeof registerClient>>): Promise<BenchClient> {
  const res = await fetch(`${apiUrl}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: registered.clientId, clientSecret: registered.clientSecret }),
  });
  const body = (await res.json()) as { token?: string };
  if (!res.ok || !body.token) throw new Error(`auth/token: ${res.status} ${JSON.stringify(body)}`);
  return { ...registered, token: body.token, apiUrl };
}

export async function call(client: BenchClient, method: 'GET' | 'POST', path: string, { userId, body }: { userId?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${client.token}` };
  if (userId !== undefined) headers['x-user-id'] = userId;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${client.apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: json };
}

/** Creates the users' wallets, a few at a time; their addresses in order. */
export async function createWallets(client: BenchClient, userIds: readonly string[]): Promise<Address[]> {
  const addresses: Address[] = new Array(userIds.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < userIds.length) {
        const i = next++;
        const res = await call(client, 'POST', '/api/v1/wallet/create', { userId: userIds[i] });
        if (res.status !== 200) throw new Error(`wallet/create ${userIds[i]}: ${res.status} ${JSON.stringify(res.body)}`);
        addresses[i] = getAddress(res.body.address);
      }
    }),
  );
  return addresses;
}
