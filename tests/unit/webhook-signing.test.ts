// Deliveries are signed so that a receiver using the `standardwebhooks` package verifies them
// unchanged, with the current secret and, during a rotation, with the previous one too.
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '../../src/auth/secrets.js';
import { activeSigningSecrets, signWebhook, type SignedHeaders } from '../../src/webhooks/sign.js';

const current = generateWebhookSecret();
const previous = generateWebhookSecret();
const body = JSON.stringify({ type: 'transaction.confirmed', data: { transactionId: 'tx_1', status: 'CONFIRMED' } });
const messageId = 'evt_1';

const verifies = (secret: string, payload: string, headers: SignedHeaders) => {
  try {
    new Webhook(secret).verify(payload, headers);
    return true;
  } catch {
    return false;
  }
};

describe('signing a webhook delivery', () => {
  it('carries the message id and the attempt time, and verifies with the client secret', () => {
    const at = new Date();
    const headers = signWebhook({ secrets: [current], messageId, body, at });
    expect(headers['webhook-id']).toBe(messageId);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifies(current, body, headers)).toBe(true);
  });

  it('during a rotation signs with both secrets, so receivers holding either verify', () => {
    const secrets = activeSigningSecrets({
      webhook_secret: current,
      previous_webhook_secret: previous,
      previous_webhook_secret_expires_at: new Date(Date.now() + 60_000),
    });
    expect(secrets).toEqual([current, previous]);
    const headers = signWebhook({ secrets, messageId, body });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(verifies(current, body, headers)).toBe(true);
    expect(verifies(previous, body, headers)).toBe(true);
  });

  it.each([
    ['has expired', { previous_webhook_secret: previous, previous_webhook_secret_expires_at: new Date(Date.now() - 1) }],
    ['was never set', { previous_webhook_secret: null, previous_webhook_secret_expires_at: null }],
  ])('once the previous secret %s, signs with the current one only', (_case, rotation) => {
    const secrets = activeSigningSecrets({ webhook_secret: current, ...rotation });
    expect(secrets).toEqual([current]);
    const headers = signWebhook({ secrets, messageId, body });
    expect(verifies(current, body, headers)).toBe(true);
    expect(verifies(previous, body, headers)).toBe(false);
  });

  it.each<[string, (h: SignedHeaders) => [string, SignedHeaders]]>([
    ['a changed body', (h) => [body.replace('CONFIRMED', 'REVERTED'), h]],
    ['a changed timestamp', (h) => [body, { ...h, 'webhook-timestamp': String(Number(h['webhook-timestamp']) + 1) }]],
    ['a changed message id', (h) => [body, { ...h, 'webhook-id': 'evt_2' }]],
    ['a signature by another secret', () => [body, signWebhook({ secrets: [generateWebhookSecret()], messageId, body })]],
    ['a timestamp older than the replay window', () => [body, signWebhook({ secrets: [current], messageId, body, at: new Date(Date.now() - 10 * 60_000) })]],
  ])('is refused by the receiver with %s', (_case, tamper) => {
    const [payload, headers] = tamper(signWebhook({ secrets: [current], messageId, body }));
    expect(verifies(current, payload, headers)).toBe(false);
  });
});
