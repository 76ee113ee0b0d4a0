// SIGTERM while `chronos start` (a child process, external mode) is serving a stream of transfers and
// balance reads: requests in progress are answered in full, later ones are refused at connect (never
// reset after being sent), the process exits 0, and every transfer it accepted (202) is executed once
// a worker runs again.
//
// To be sure requests are in progress at the signal, the chain RPC stand-in holds every balance read
// (transfers read the balance too) until the signal has been sent.
import http from 'node:http';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { spawnChronos, stopChronos, type ChronosProcess } from '../support/processes.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { testStackEnv } from '../support/stack-env.js';
import { getFreePort } from '../../src/dev/free-port.js';
import { startWorker } from '../../src/runtime/services.js';
import { isTerminal } from '../../src/status/machine.js';
import { createRemoteActor, mintRemote, remote, waitUntilServing, type RemoteActor } from './support/remote.js';
import { send, type Outcome } from './support/http-outcome.js';

const USERS = ['drain-a', 'drain-b', 'drain-c', 'drain-d'];
const BALANCE_OF = '0x70a08231';

let t: TestApp;
let chain: RpcProxy;
let chronos: ChronosProcess;
let baseUrl: string;
let actor: RemoteActor;

beforeAll(async () => {
  t = await createTestApp();
  chain = await startRpcProxy(testStackEnv().rpcUrl);
  const port = await getFreePort();
  chronos = spawnChronos('start', { ...t.env, RPC_URL: chain.url, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'info' });
  baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilServing(`${baseUrl}/healthz`, { output: chronos.output });
  actor = await createRemoteActor(t, remote(baseUrl));
  await Promise.all(USERS.map((user) => mintRemote(t, remote(baseUrl), actor, user, '100')));
}, 120_000);
afterAll(async () => {
  if (chronos) await stopChronos(chronos);
  await chain?.close();
  await t?.close();
});

/** Closed: balance reads wait. The count tells how many are waiting. */
function balanceGate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  let waiting = 0;
  chain.intercept = async (call) => {
    const [tx] = (call.params ?? []) as { data?: string; input?: string }[];
    if (call.method === 'eth_call' && (tx?.data ?? tx?.input ?? '').startsWith(BALANCE_OF)) {
      waiting++;
      await opened;
    }
    return undefined;
  };
  return {
    open: () => {
      chain.intercept = undefined;
      open();
    },
    waiting: () => waiting,
  };
}

type Sent = { user: string; what: 'transfer' | 'balance'; idempotencyKey?: string; outcome: Outcome };

/** One client per user, each sending transfers and balance reads one after another until refused. */
async function streamRequests(user: string, agent: http.Agent, deadline: number): Promise<Sent[]> {
  const sent: Sent[] = [];
  const sink = privateKeyToAccount(generatePrivateKey()).address;
  const headers = { authorization: `Bearer ${actor.token}`, 'x-user-id': user };
  for (let n = 0; Date.now() < deadline; n++) {
    const idempotencyKey = `${user}-${n}`;
    const outcome =
      n % 2 === 0
        ? await send(agent, `${baseUrl}/api/v1/wallet/transfer`, {
            method: 'POST',
            headers: { ...headers, 'x-idempotency-key': idempotencyKey },
            body: { to: sink, amount: '0.01' },
          })
        : await send(agent, `${baseUrl}/api/v1/wallet/balance`, { method: 'GET', headers });
    sent.push({ user, what: n % 2 === 0 ? 'transfer' : 'balance', idempotencyKey: n % 2 === 0 ? idempotencyKey : undefined, outcome });
    if (outcome.kind === 'refused') break;
  }
  return sent;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SIGTERM under load', () => {
  it('finishes in-flight requests, refuses new connections, exits 0, and loses no accepted transfer', async () => {
    // Keep-alive connections, as a client backend would hold them.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const streams = Promise.all(USERS.map((user) => streamRequests(user, agent, Date.now() + 60_000)));
    await new Promise((r) => setTimeout(r, 1_500));

    // Every stream now ends up waiting on a held balance read: all of them are mid-request.
    const gate = balanceGate();
    await until(() => gate.waiting() >= USERS.length, 15_000, 'every stream to have a request in progress');
    const signalledAt = Date.now();
    chronos.child.kill('SIGTERM');
    // Held until the process says it is shutting down (its listener closes in the same tick), so the
    // answers are sent while draining however long the signal took to be handled.
    await until(() => chronos.output().includes('shutting down'), 15_000, 'the process to start shutting down');
    await new Promise((r) => setTimeout(r, 200));
    gate.open();

    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      chronos.exited,
      new Promise((r) => {
        timer = setTimeout(() => r('still running'), 60_000);
      }),
    ]);
    clearTimeout(timer);
    const exitedAt = Date.now();
    const sent = (await streams).flat();
    agent.destroy();

    expect({ exit, output: (exit as { code?: number }).code === 0 ? '' : chronos.output().slice(-4000) }).toEqual({
      exit: { code: 0, signal: null },
      output: '',
    });
    expect(exitedAt - signalledAt).toBeLessThan(t.config.shutdownGraceMs);
    expect(chronos.output()).toContain('shut down cleanly');

    // Nothing was cut off or reset: a complete answer, or a refusal before anything was sent.
    expect(sent.filter((s) => s.outcome.kind === 'reset' || s.outcome.kind === 'partial')).toEqual([]);
    expect(sent.filter((s) => s.outcome.kind === 'response' && s.outcome.status >= 300)).toEqual([]);
    // Each stream went on until it was refused, so it saw the listener close.
    for (const user of USERS) expect(sent.filter((s) => s.user === user).at(-1)!.outcome.kind).toBe('refused');
    // The requests in progress at the signal were answered in full after it.
    const drained = sent.filter((s) => s.outcome.kind === 'response' && s.outcome.startedAt < signalledAt && s.outcome.endedAt > signalledAt);
    expect(drained.length).toBeGreaterThanOrEqual(USERS.length);

    // Every 202 is stored, and nothing was stored for a refused request.
    const accepted = sent.flatMap((s) => (s.outcome.kind === 'response' && s.outcome.status === 202 ? [s.outcome.body.transactionId as string] : []));
    expect(accepted.length).toBeGreaterThan(USERS.length);
    const refusedKeys = sent.filter((s) => s.outcome.kind === 'refused' && s.idempotencyKey).map((s) => s.idempotencyKey!);
    if (refusedKeys.length) {
      expect(
        await t.ctx.db.selectFrom('idempotency_keys').select('key').where('client_id', '=', actor.client.clientId).where('key', 'in', refusedKeys).execute(),
      ).toEqual([]);
    }

    // A worker runs again: everything accepted is executed.
    const worker = await startWorker(t.ctx);
    try {
      const statuses = async () => t.ctx.db.selectFrom('transactions').select(['id', 'status']).where('id', 'in', accepted).execute();
      await until(async () => (await statuses()).every((row) => isTerminal(row.status)), 120_000, 'every accepted transfer to finish');
      const final = await statuses();
      expect(final).toHaveLength(accepted.length);
      expect(final.filter((row) => row.status !== 'CONFIRMED')).toEqual([]);
    } finally {
      await worker.stop();
    }
  }, 240_000);
});
