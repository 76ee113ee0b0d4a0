// The world generated requests run against: a client with every scope, a signer, a webhook URL and a
// quota policy; a user with a wallet and plenty of tokens (so balance checks are not the only thing
// refusing bad input); an existing transaction and webhook delivery; and a valid request per operation
// for the generators to spoil.
import fc from 'fast-check';
import jwt from 'jsonwebtoken';
import { parseEther } from 'viem';
import { createTestApp, type TestApp } from '../../support/test-app.js';
import { api, createMintingClient, createWallet, signMint, type Actor } from '../../support/operations.js';
import { fundDirectly } from '../../support/direct-funding.js';
import { endTransaction } from '../../webhooks/support/deliveries.js';
import { upsertPolicy } from '../../../src/db/policies.js';
import { startApi } from '../../../src/runtime/services.js';
import { JsonObject } from './json-text.js';
import { headerValues } from './bad-values.js';
import type { DocumentedOperation } from './openapi-operations.js';
import type { GeneratedRequest } from './generated-requests.js';

export const FUNDED_USER = 'funded-user';

export type FuzzWorld = {
  t: TestApp;
  /** The production HTTP server (startApi), so server-level answers (431, malformed requests) are covered too. */
  origin: string;
  actor: Actor;
  validRequest(op: DocumentedOperation): GeneratedRequest;
  authorizations: fc.Arbitrary<string | string[] | undefined>;
  close(): Promise<void>;
};

const LOTS = 1_000_000;

export async function createFuzzWorld(): Promise<FuzzWorld> {
  const t = await createTestApp();
  // Nothing listens there and no worker runs: deliveries stay queued, which is what the counts expect.
  const actor = await createMintingClient(t, { name: 'fuzzed', webhookUrl: 'http://127.0.0.1:9/hooks' });
  const wallet = await createWallet(t, actor, FUNDED_USER);
  await fundDirectly(t, actor, { to: wallet, amountWei: parseEther('1000000') });
  const periods = { daily: LOTS, weekly: LOTS, monthly: LOTS };
  await upsertPolicy(t.ctx.db, { clientId: actor.client.clientId, limits: { mint: periods, transfer: periods, claim: periods } });

  const transfer = await api(t, actor, FUNDED_USER).post('/api/v1/wallet/transfer', { to: '0x000000000000000000000000000000000000dEaD', amount: '1' });
  if (transfer.status !== 202) throw new Error(`setup transfer: ${transfer.status} ${JSON.stringify(transfer.body)}`);
  const { deliveryId } = await endTransaction(t.ctx.db, { clientId: actor.client.clientId, userId: FUNDED_USER });
  // A delivery that has given up can be redelivered: the valid redeliver request then really queues one.
  await t.ctx.db.updateTable('webhook_deliveries').set({ status: 'FAILED' }).where('id', '=', deliveryId!).execute();

  const receiptId = 'fuzz-receipt-1';
  const prepared = await api(t, actor, FUNDED_USER).post('/api/v1/mint/prepare', { receiptId, userAddress: wallet });
  const expiryBlock = BigInt(prepared.body.expiryBlock);
  const nonce = BigInt(prepared.body.nonce);
  const signature = await signMint(t, actor, { to: wallet, receiptId, amount: 1000n, expiryBlock, nonce });

  const other = await t.createClient({ name: 'another client' });
  const walletOnly = await t.createClient({ name: 'wallet scope only', scopes: ['wallet'] });
  const claims = {
    scope: 'wallet mint transfer claim payments',
    sub: actor.client.clientId,
    iss: t.config.jwt.issuer,
    aud: t.config.jwt.audience,
    jti: 'fuzz',
  };
  const now = Math.floor(Date.now() / 1000);
  const expired = jwt.sign({ ...claims, iat: now - 7200, exp: now - 60 }, t.config.jwt.secret, { algorithm: 'HS256' });
  const forged = jwt.sign({ ...claims, exp: now + 600 }, 'not-the-secret-but-long-enough-000000000000', { algorithm: 'HS256' });
  const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ ...claims, exp: now + 600 })).toString('base64url')}.`;
  const good = `Bearer ${actor.token}`;
  const authorizations = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom<string | string[] | undefined>(
        undefined,
        `Bearer ${await t.tokenFor(other)}`,
        `Bearer ${await t.tokenFor(walletOnly)}`,
        `Bearer ${expired}`,
        `Bearer ${forged}`,
        `Bearer ${unsigned}`,
        `bearer ${actor.token}`,
        `Bearer  ${actor.token}`,
        `${good}x`,
        good.slice(0, -2),
        'Bearer ',
        'Basic dXNlcjpwYXNz',
        actor.token,
        [good, 'Bearer x'],
        ['Bearer x', good],
      ),
    },
    { weight: 1, arbitrary: headerValues },
    { weight: 1, arbitrary: headerValues.map((v) => `Bearer ${v}`) },
  );

  const bodies: Record<string, JsonObject> = {
    createToken: new JsonObject([
      ['clientId', actor.client.clientId],
      ['clientSecret', actor.client.clientSecret],
    ]),
    transferTokens: new JsonObject([
      ['to', '0x000000000000000000000000000000000000dEaD'],
      ['amount', '0.000001'],
    ]),
    prepareMint: new JsonObject([
      ['receiptId', 'fuzz-receipt-2'],
      ['userAddress', wallet],
    ]),
    executeMint: new JsonObject([
      ['receiptId', receiptId],
      ['amount', '1000'],
      ['signature', signature],
      ['expiryBlock', String(expiryBlock)],
      ['nonce', String(nonce)],
    ]),
    executeClaim: new JsonObject([
      ['claimId', 'fuzz-claim-1'],
      ['amount', '0.000001'],
    ]),
    createPaymentIntent: new JsonObject([
      ['amount', '0.000001'],
      ['payeeAddress', '0x000000000000000000000000000000000000dEaD'],
      ['metadata', new JsonObject([['durationSeconds', 3600]])],
    ]),
    estimateGas: new JsonObject([
      ['operation', 'transfer'],
      [
        'params',
        new JsonObject([
          ['to', '0x000000000000000000000000000000000000dEaD'],
          ['amount', '0.000001'],
        ]),
      ],
    ]),
    createWithdrawal: new JsonObject([
      ['amount', '0.000001'],
      ['to', '0x000000000000000000000000000000000000dEaD'],
    ]),
  };
  // Payments: an intent whose funding is in flight (no worker runs, so it stays so: a release or refund
  // of it is a 409) and an unfunded one (its first valid fund request succeeds, the rest are 409s).
  const payee = '0x000000000000000000000000000000000000dEaD';
  const intent = (fund: boolean) => ({ amount: '0.000001', payeeAddress: payee, fund, metadata: { durationSeconds: 3600 } });
  const funding = await api(t, actor, FUNDED_USER).post('/api/v1/payments/intents', intent(true));
  const unfunded = await api(t, actor, FUNDED_USER).post('/api/v1/payments/intents', intent(false));
  if (funding.status !== 202 || unfunded.status !== 201)
    throw new Error(`setup intents: ${funding.status} ${unfunded.status} ${JSON.stringify(unfunded.body)}`);
  const pathValues: Record<string, string> = {
    transactionId: transfer.body.transactionId,
    deliveryId: deliveryId!,
    'getPaymentIntent id': funding.body.intentId,
    'fundEscrow id': unfunded.body.escrowId,
    'releaseEscrow id': funding.body.escrowId,
    'refundEscrow id': funding.body.escrowId,
  };

  const running = await startApi(t.ctx, { port: 0, host: '127.0.0.1' });
  return {
    t,
    actor,
    authorizations,
    origin: running.url,
    validRequest(op) {
      const headers: Record<string, string> = op.secured ? { Authorization: good } : {};
      for (const p of op.parameters.filter((p) => p.in === 'header' && p.required)) headers[p.name] = p.name === 'X-User-Id' ? FUNDED_USER : 'x';
      const body = bodies[op.operationId] ?? (op.bodySchema ? new JsonObject((op.bodySchema.required ?? []).map((k: string) => [k, 'x'])) : undefined);
      if (body) headers['Content-Type'] = 'application/json';
      return {
        method: op.method,
        path: op.path,
        query: [],
        headers,
        changes: [],
        pathValues: Object.fromEntries(
          op.parameters.filter((p) => p.in === 'path').map((p) => [p.name, pathValues[`${op.operationId} ${p.name}`] ?? pathValues[p.name] ?? 'x']),
        ),
        body: body ? { kind: 'json', value: body } : { kind: 'none' },
      };
    },
    async close() {
      await running.close();
      await t.close();
    },
  };
}
