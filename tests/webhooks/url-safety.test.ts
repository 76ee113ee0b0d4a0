// SSRF protection: with private targets not allowed (the default outside the embedded stack), webhook
// URLs resolving to private, loopback, link-local and similar addresses are refused at delivery
// (one failed attempt, no retry) and at registration through the CLI.
import { createTestApp, type TestApp } from '../support/test-app.js';
import { runChronosCli } from '../support/cli.js';
import { testStackEnv } from '../support/stack-env.js';
import { EMBEDDED_DEPLOYER_PRIVATE_KEY } from '../../src/runtime/embedded-keys.js';
import request from 'supertest';
import { checkWebhookDestination } from '../../src/admin/webhook-url.js';
import { nonPublicRange, resolveWebhookTarget, WebhookTargetRefusedError, WebhookTargetUnresolvedError } from '../../src/webhooks/url-safety.js';
import { startReceiver, type Receiver } from './support/receiver.js';
import { waitForSettled } from './support/deliveries.js';

let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({ worker: true, env: { WEBHOOK_RETRY_BASE_MS: '20' } });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

describe('which addresses count as non-public', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local, incl. cloud metadata'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['100.64.0.1', 'shared address space (CGNAT)'],
    ['0.0.0.0', 'unspecified ("this network")'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'reserved, incl. broadcast'],
    ['fc00::1', 'unique local (private)'],
    ['fd12:3456::1', 'unique local (private)'],
    ['::ffff:127.0.0.1', 'loopback, as IPv4 127.0.0.1 inside IPv6'],
    ['::ffff:a9fe:a9fe', 'link-local, incl. cloud metadata, as IPv4 169.254.169.254 inside IPv6'],
    ['::ffff:10.0.0.1', 'private, as IPv4 10.0.0.1 inside IPv6'],
    ['64:ff9b::7f00:1', 'loopback, as IPv4 127.0.0.1 inside IPv6'],
    // NAT64 (well-known prefix) and 6to4 carrying a private IPv4 address.
    ['64:ff9b::10.1.2.3', 'private, as IPv4 10.1.2.3 inside IPv6'],
    ['64:ff9b::c0a8:101', 'private, as IPv4 192.168.1.1 inside IPv6'],
    ['2002:a00:1::1', 'private, as IPv4 10.0.0.1 inside IPv6'],
    ['2002:a9fe:a9fe::', 'link-local, incl. cloud metadata, as IPv4 169.254.169.254 inside IPv6'],
    // Ranges that lead into the operator's network whatever follows the prefix.
    ['64:ff9b:1::808:808', 'local-use NAT64'],
    ['64:ff9b:1:ffff::a00:1', 'local-use NAT64'],
    ['::ffff:0:808:808', 'IPv4-translated (SIIT)'],
    ['::ffff:0:a00:1', 'IPv4-translated (SIIT)'],
    ['2001::1', 'Teredo tunnel'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo tunnel'],
    ['168.63.129.16', 'cloud platform service (Azure wire server)'],
    ['::ffff:168.63.129.16', 'cloud platform service (Azure wire server), as IPv4 168.63.129.16 inside IPv6'],
  ])('%s is %s', (ip, range) => {
    expect(nonPublicRange(ip)).toBe(range);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
    '168.63.129.17',
    '2001:4860:4860::8888',
    '64:ff9b:2::1',
  ])('%s is public', (ip) => {
    expect(nonPublicRange(ip)).toBeUndefined();
  });

  it('judges every address a name resolves to, and tells refusals from names that do not resolve', async () => {
    const resolveHost = async () => [
      { address: '93.184.215.14', family: 4 as const },
      { address: '10.0.0.5', family: 4 as const },
    ];
    await expect(resolveWebhookTarget('https://hooks.example.com/x', { allowPrivateTargets: false, resolveHost })).rejects.toThrow(
      new WebhookTargetRefusedError(
        "webhook host 'hooks.example.com' resolves to 10.0.0.5 (private); private, loopback and link-local destinations are refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true",
      ),
    );
    await expect(resolveWebhookTarget('https://hooks.example.com/x', { allowPrivateTargets: true, resolveHost })).resolves.toMatchObject({
      host: 'hooks.example.com',
    });
    const missing = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    await expect(resolveWebhookTarget('https://nowhere.invalid/', { allowPrivateTargets: false, resolveHost: missing })).rejects.toBeInstanceOf(
      WebhookTargetUnresolvedError,
    );
    await expect(resolveWebhookTarget('ftp://example.com/', { allowPrivateTargets: true })).rejects.toBeInstanceOf(WebhookTargetRefusedError);
    await expect(resolveWebhookTarget('https://user:pw@93.184.215.14/', { allowPrivateTargets: false })).rejects.toBeInstanceOf(WebhookTargetRefusedError);
  });
});

describe('at delivery', () => {
  const port = () => new URL(receiver.origin).port;
  it.each([
    ['loopback', () => `http://127.0.0.1:${port()}/ssrf`],
    ['a DNS name resolving to loopback', () => `http://localhost:${port()}/ssrf`],
    ['IPv6 loopback', () => `http://[::1]:${port()}/ssrf`],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port()}/ssrf`],
    ['the unspecified address', () => `http://0.0.0.0:${port()}/ssrf`],
    ['the cloud metadata service', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a 10/8 private address', () => 'http://10.0.0.1/hooks'],
    ['a 172.16/12 private address', () => 'http://172.16.0.1/hooks'],
    ['a 192.168/16 private address', () => 'http://192.168.0.1/hooks'],
    ['a CGNAT address', () => 'http://100.64.0.1/hooks'],
    ['a unique-local IPv6 address', () => 'http://[fd00::1]/hooks'],
    ['a link-local IPv6 address', () => 'http://[fe80::1]/hooks'],
    ['a local-use NAT64 address', () => 'http://[64:ff9b:1::a00:1]/hooks'],
    ['a Teredo address', () => 'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks'],
    ['the Azure wire server', () => 'http://168.63.129.16/machine'],
  ])('refuses %s: one failed attempt that says why, no retry, nothing sent', async (_name, url) => {
    const client = await t.createClient({ webhookUrl: url() });
    const res = await request(t.app)
      .post('/api/v1/webhooks/test')
      .set('Authorization', `Bearer ${await t.tokenFor(client)}`);
    expect(res.status).toBe(202);
    const { delivery, attempts } = await waitForSettled(t.ctx.db, res.body.data.delivery.id);
    expect(delivery).toMatchObject({ status: 'FAILED', attempt_count: 1, last_response_status: null });
    expect(delivery.error_message).toMatch(
      /^webhook host '.+' resolves to .+ \(.+\); private, loopback and link-local destinations are refused unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true$/,
    );
    expect(attempts).toHaveLength(1);
    expect(receiver.received.filter((r) => r.path === '/ssrf')).toHaveLength(0);
  });
});

describe('at registration', () => {
  it('checkWebhookDestination refuses non-public hosts unless private targets are allowed', async () => {
    await expect(checkWebhookDestination('http://169.254.169.254/', { allowPrivateTargets: false })).rejects.toThrow(/link-local/);
    await expect(checkWebhookDestination('http://localhost:8080/hooks', { allowPrivateTargets: false })).rejects.toThrow(
      /resolves to (127\.0\.0\.1|::1) \(loopback\)/,
    );
    await expect(checkWebhookDestination('http://localhost:8080/hooks', { allowPrivateTargets: true })).resolves.toBe('http://localhost:8080/hooks');
    await expect(checkWebhookDestination('https://93.184.215.14/hooks', { allowPrivateTargets: false })).resolves.toBe('https://93.184.215.14/hooks');
  });

  // `clients create` deploys the client's own token: the test chain and its deployer key are given.
  const chronos = (args: string[], extraEnv: Record<string, string> = {}) =>
    runChronosCli([...args, '--json'], {
      DATABASE_URL: t.databaseUrl,
      RPC_URL: testStackEnv().rpcUrl,
      CHAIN_ID: String(testStackEnv().chainId),
      DEPLOYER_PRIVATE_KEY: EMBEDDED_DEPLOYER_PRIVATE_KEY,
      ...extraEnv,
    });

  it('the CLI refuses a private webhook URL outside the embedded default, unless WEBHOOK_ALLOW_PRIVATE_TARGETS=true', async () => {
    const refused = await chronos(['clients', 'create', '--name', 'ssrf', '--webhook-url', 'http://127.0.0.1:9/hooks']);
    expect(refused.code).toBe(1);
    expect(refused.json.error).toMatch(/resolves to 127\.0\.0\.1 \(loopback\).*WEBHOOK_ALLOW_PRIVATE_TARGETS=true/);

    const allowed = await chronos(['clients', 'create', '--name', 'local', '--webhook-url', 'http://127.0.0.1:9/hooks'], {
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    });
    expect(allowed.code).toBe(0);
    expect(allowed.json.webhookUrl).toBe('http://127.0.0.1:9/hooks');

    const metadata = await chronos(['clients', 'set-webhook', allowed.json.clientId, 'http://169.254.169.254/latest/meta-data/']);
    expect(metadata.code).toBe(1);
    expect(metadata.json.error).toMatch(/169\.254\.169\.254 \(link-local/);
  }, 60_000);
});
