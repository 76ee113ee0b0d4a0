// The SDK's transport: a write whose answer is lost is sent again with the same idempotency key and
// reaches the same transaction; 429 is retried after the server's Retry-After, within a bound; a
// server that never answers ends in one NETWORK_ERROR after the configured attempts.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseEther } from 'viem';
import { ChronosError } from '../../sdk/src/index.js';
import { createMintingClient, type Actor } from '../support/operations.js';
import { getFreePort } from '../../src/dev/free-port.js';
import { recordingFetch, sdkFor, serveTestApp, type ServedApp } from './support.js';

let t: ServedApp;
let actor: Actor;

beforeAll(async () => {
  // 20 s windows (60 s × 1/3) keep the 429 case short; only clients with their own low limit hit them.
  t = await serveTestApp({ worker: true, env: { RATE_LIMIT_WINDOW_SCALE: String(1 / 3) } });
  actor = await createMintingClient(t);
});

afterAll(async () => {
  await t?.close();
});

/**
 * Forwards connections to the app; when armed, the next request whose first line starts with the armed one
 * reaches the app in full, and its connection is cut as the answer starts to come back.
 */
async function startCuttingProxy(target: string): Promise<{ url: string; arm(requestLine: string): void; cuts: number; close(): Promise<void> }> {
  const { port: targetPort } = new URL(target);
  let armedFor: string | undefined;
  const state = { cuts: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(targetPort), '127.0.0.1');
    sockets.add(client).add(upstream);
    let cutThisAnswer = false;
    client.on('data', (chunk) => {
      if (armedFor && chunk.toString('latin1').startsWith(armedFor)) {
        armedFor = undefined;
        cutThisAnswer = true;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (!cutThisAnswer) return void client.write(chunk);
      state.cuts++;
      client.destroy();
      upstream.destroy();
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arm: (requestLine) => {
      armedFor = requestLine;
    },
    get cuts() {
      return state.cuts;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('SDK transport retries', () => {
  it('sends a write again after its connection was cut, and creates exactly one transaction', async () => {
    const proxy = await startCuttingProxy(t.url);
    try {
      const recorded = recordingFetch();
      const chronos = sdkFor(proxy.url, actor.client, { fetch: recorded.fetch });
      const dave = chronos.user('dave');
      await (await dave.mint({ receiptId: 'retry-receipt', amount: parseEther('10'), sign: actor.signer })).wait({ timeoutMs: 60_000 });

      proxy.arm('POST /api/v1/wallet/transfer ');
      const transfer = await dave.transfer({ to: '0x000000000000000000000000000000000000dEaD', amount: '4' });
      expect(proxy.cuts).toBe(1);
      const sends = recorded.requests.filter((r) => r.path === '/api/v1/wallet/transfer');
      // The first attempt got no answer; the second was answered with the first one's 202.
      expect(sends.map((r) => r.status)).toEqual([undefined, 202]);
      expect(transfer.replayed).toBe(true);
      expect((await transfer.wait({ timeoutMs: 60_000 })).status).toBe('CONFIRMED');

      const transfers = [];
      for await (const tx of chronos.transactions.list({ userId: 'dave', type: ['transfer'] })) transfers.push(tx.transactionId);
      expect(transfers).toEqual([transfer.transactionId]);
      expect(await dave.balance()).toEqual({ balance: '6' });
    } finally {
      await proxy.close();
    }
  });

  it('waits out a 429 for its Retry-After, and gives a bounded wait back to the caller as the error', async () => {
    const limited = await t.createClient({ rateLimits: { general: 2 } });
    const recorded = recordingFetch();
    const chronos = sdkFor(t.url, limited, { fetch: recorded.fetch });
    const erin = chronos.user('erin');
    await erin.createWallet();
    await erin.balance();
    await erin.balance();
    const reads = recorded.requests.filter((r) => r.path === '/api/v1/wallet/balance');
    expect(reads.map((r) => r.status)).toEqual([200, 429, 200]);
    const retryAfterMs = Number(reads[1].retryAfter) * 1000;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(reads[2].at - reads[1].at).toBeGreaterThanOrEqual(retryAfterMs - 1000);

    // A Retry-After longer than maxWaitMs is not slept through: the caller gets it at once.
    const impatient = sdkFor(t.url, limited, { retry: { maxWaitMs: 100 } }).user('erin');
    await impatient.balance().catch(() => undefined);
    const error = await impatient.balance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChronosError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect((error as ChronosError).retryAfter).toBeGreaterThan(0);
  });

  it('ends with one NETWORK_ERROR after the configured attempts when nothing answers', async () => {
    const recorded = recordingFetch();
    const chronos = sdkFor(`http://127.0.0.1:${await getFreePort()}`, actor.client, { fetch: recorded.fetch, retry: { attempts: 3 } });
    const error = await chronos
      .user('frank')
      .balance()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChronosError);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: undefined });
    // Three token requests: the balance read never got as far as being sent.
    expect(recorded.requests.map((r) => r.path)).toEqual(['/api/v1/auth/token', '/api/v1/auth/token', '/api/v1/auth/token']);
  });
});
