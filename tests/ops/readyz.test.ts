// /readyz tells an orchestrator whether this process can do its work: it names the part that is down
// (database, chain RPC, bundler, sponsorship: the own paymaster is read through the chain RPC) and
// recovers by itself when the part comes back. The parts are stopped through stand-ins in front of
// the real ones, so the shared stack keeps running. A low deposit (degraded): tests/jobs/deposit-wait.
import request from 'supertest';
import { createTestApp, hostedSponsorship, type TestApp } from '../support/test-app.js';
import { startRpcProxy, type RpcProxy } from '../support/rpc-proxy.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { testStackEnv } from '../support/stack-env.js';

let postgres: TcpProxy;
let chain: RpcProxy;
let bundler: RpcProxy;
let t: TestApp;

beforeAll(async () => {
  const stack = testStackEnv();
  const admin = new URL(stack.pgAdminUrl);
  postgres = await startTcpProxy({ targetHost: admin.hostname, targetPort: Number(admin.port) });
  chain = await startRpcProxy(stack.rpcUrl);
  bundler = await startRpcProxy(stack.bundlerUrl);
  t = await createTestApp({
    env: { RPC_URL: chain.url, BUNDLER_URL: bundler.url },
    reachDatabaseVia: (url) => {
      const u = new URL(url);
      u.port = String(postgres.port);
      return u;
    },
  });
});
type Part = 'database' | 'chain' | 'bundler';
const stoppable = (): Record<Part, TcpProxy | RpcProxy> => ({ database: postgres, chain, bundler });
const stopped = new Set<Part>();
async function stop(...parts: Part[]): Promise<void> {
  for (const part of parts) stopped.add(part);
  await Promise.all(parts.map((part) => stoppable()[part].down()));
}
async function restart(part: Part): Promise<void> {
  stopped.delete(part);
  await stoppable()[part].up();
}
afterEach(async () => {
  bundler.intercept = undefined;
  await Promise.all([...stopped].map(restart));
});
afterAll(async () => {
  await t?.close();
  await Promise.all([postgres?.close(), chain?.close(), bundler?.close()]);
});

const readyz = () => request(t.app).get('/readyz');
const ALL_OK = { database: 'ok', chain: 'ok', bundler: 'ok', sponsorship: 'ok', deposit: 'ok' };
/** What a stopped part takes down with it: the own paymaster's deposit is read through the chain RPC. */
const DOWN_WITH: Record<Part, string[]> = { database: ['database'], chain: ['chain', 'sponsorship'], bundler: ['bundler'] };

function expectUnavailable(res: request.Response, down: string[]): void {
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toMatchObject({ status: 'unavailable', code: 'SERVICE_UNAVAILABLE', error: `${down.join(' and ')} unreachable` });
  for (const [part, result] of Object.entries(res.body.checks as Record<string, string>)) {
    if (down.includes(part)) expect(result).toMatch(/^down: /);
    else expect(result).toBe('ok');
  }
  // The deposit is only judged when the paymaster answered.
  expect('deposit' in res.body.checks).toBe(!down.includes('sponsorship'));
}

describe('GET /readyz', () => {
  it('is 200 with every check ok when database, chain and bundler answer', async () => {
    const res = await readyz();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: ALL_OK });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each(['database', 'chain', 'bundler'] as const)('is 503 naming the %s while it is stopped, and 200 again once it is back', async (part) => {
    await stop(part);
    const res = await readyz();
    expectUnavailable(res, DOWN_WITH[part]);
    expect(res.body.checks[part]).toMatch(/connection refused|ECONNREFUSED/);
    // /healthz is about the process, not its dependencies: still fine.
    expect((await request(t.app).get('/healthz')).status).toBe(200);

    await restart(part);
    const back = await readyz();
    expect(back.status).toBe(200);
    expect(back.body.checks).toEqual(ALL_OK);
  });

  it('names every part that is down at once', async () => {
    await stop('database', 'chain', 'bundler');
    expectUnavailable(await readyz(), ['database', 'chain', 'bundler', 'sponsorship']);
  });

  it('counts a part that does not answer in time as down, without waiting for it', async () => {
    let answer!: () => void;
    const held = new Promise<void>((resolve) => {
      answer = resolve;
    });
    bundler.intercept = async (call) => {
      if (call.method !== 'eth_supportedEntryPoints') return undefined;
      await held;
      return { result: [] };
    };
    const started = Date.now();
    const res = await readyz();
    expectUnavailable(res, ['bundler']);
    expect(res.body.checks.bundler).toMatch(/no answer within/);
    expect(Date.now() - started).toBeLessThan(8_000);
    answer();
  });

  it('counts a bundler that does not support our EntryPoint as down', async () => {
    bundler.intercept = (call) => (call.method === 'eth_supportedEntryPoints' ? { result: ['0x5FF137D4b0FDCD49DcA30c7CF57E578a026d2789'] } : undefined);
    const res = await readyz();
    expectUnavailable(res, ['bundler']);
    expect(res.body.checks.bundler).toContain(`does not support EntryPoint ${t.config.contracts.entryPoint}`);
  });

  it('never shows the URLs of the parts (they often carry API keys)', async () => {
    await stop('chain', 'bundler');
    const res = await readyz();
    expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|http:/);
  });
});

describe('GET /readyz with a hosted paymaster (PAYMASTER_URL)', () => {
  let paymaster: RpcProxy;
  let hosted: TestApp;
  beforeAll(async () => {
    paymaster = await startRpcProxy(testStackEnv().paymasterUrl);
    hosted = await createTestApp({ env: hostedSponsorship(paymaster.url) });
  });
  afterAll(async () => {
    await hosted?.close();
    await paymaster?.close();
  });

  it('checks that the paymaster answers JSON-RPC (any answer: it need not serve the probe method), and has no deposit of ours to judge', async () => {
    const res = await request(hosted.app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { database: 'ok', chain: 'ok', bundler: 'ok', sponsorship: 'ok' } });
  });

  it('is 503 naming the sponsorship while the paymaster is stopped', async () => {
    await paymaster.down();
    try {
      const res = await request(hosted.app).get('/readyz');
      expectUnavailable(res, ['sponsorship']);
      expect(res.body.checks.sponsorship).toMatch(/connection refused/);
    } finally {
      await paymaster.up();
    }
    expect((await request(hosted.app).get('/readyz')).status).toBe(200);
  });
});
