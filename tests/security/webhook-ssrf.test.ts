// SSRF through webhook URLs, beyond tests/webhooks/url-safety.test.ts (non-public ranges, names that
// resolve there such as `localhost`, refusal at delivery and at registration through the CLI, and the
// embedded default allowing loopback) and tests/webhooks/deliver-webhook.test.ts (redirects are never
// followed): addresses written in the other notations URL parsers accept, and DNS rebinding — the
// connection goes to the addresses that were checked, never to a second DNS answer.
import { checkWebhookDestination } from '../../src/admin/webhook-url.js';
import { postWebhook } from '../../src/webhooks/send.js';
import { resolveWebhookTarget, WebhookTargetRefusedError } from '../../src/webhooks/url-safety.js';
import { startReceiver, type Receiver } from '../webhooks/support/receiver.js';

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());

describe('non-public addresses in other notations', () => {
  it.each([
    ['decimal', 'http://2130706433/'],
    ['hexadecimal', 'http://0x7f000001/'],
    ['octal', 'http://017700000001/'],
    ['shortened', 'http://127.1/'],
    ['mixed radix', 'http://0x7f.0.0.1/'],
    ['zero', 'http://0/'],
    ['the metadata service in octal', 'http://0251.0376.0251.0376/latest/meta-data/'],
    ['the metadata service in decimal', 'http://2852039166/'],
    ['IPv4-mapped IPv6 in hex groups', 'http://[::ffff:7f00:1]/'],
    ['IPv4-mapped IPv6 written long', 'http://[0:0:0:0:0:ffff:127.0.0.1]/'],
    ['the metadata service as mapped IPv6', 'http://[::ffff:169.254.169.254]/'],
    ['the IPv6 unspecified address', 'http://[::]/'],
    ['an upper-case localhost with a port', 'http://LOCALHOST:8080/hooks'],
  ])('refuses %s (%s) at registration and at delivery', async (_name, url) => {
    await expect(checkWebhookDestination(url, { allowPrivateTargets: false })).rejects.toThrow(
      /resolves to .+ \(.+\); private, loopback and link-local destinations are refused/,
    );
    await expect(resolveWebhookTarget(url, { allowPrivateTargets: false })).rejects.toBeInstanceOf(WebhookTargetRefusedError);
    const attempt = await postWebhook({ url, body: '{}', headers: {}, timeoutMs: 2_000, allowPrivateTargets: false });
    expect(attempt.outcome).toBe('refused');
  });
});

describe('DNS rebinding', () => {
  const port = () => new URL(receiver.origin).port;

  it('connects to the checked address even when the name does not resolve at all any more', async () => {
    // `rebind.invalid` has no DNS record: the request can only arrive if the socket used the checked address.
    const resolveHost = async () => [{ address: '127.0.0.1', family: 4 as const }];
    const attempt = await postWebhook({
      url: `http://rebind.invalid:${port()}/pinned`,
      body: '{}',
      headers: {},
      timeoutMs: 5_000,
      allowPrivateTargets: true,
      resolveHost,
    });
    expect(attempt.outcome).toBe('delivered');
    expect(receiver.received.filter((r) => r.path === '/pinned')).toHaveLength(1);
  });

  it('does not reach what the name resolves to now when the check saw another address', async () => {
    // The check saw 127.0.0.2 (nothing listens there); real DNS says localhost is 127.0.0.1, where the receiver is.
    const resolveHost = async () => [{ address: '127.0.0.2', family: 4 as const }];
    const attempt = await postWebhook({
      url: `http://localhost:${port()}/rebound`,
      body: '{}',
      headers: {},
      timeoutMs: 5_000,
      allowPrivateTargets: true,
      resolveHost,
    });
    expect(attempt.outcome).toBe('failed');
    expect(receiver.received.filter((r) => r.path === '/rebound')).toHaveLength(0);
  });
});
