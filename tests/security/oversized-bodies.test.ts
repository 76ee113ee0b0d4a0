// Bodies over 64 KiB are refused with 413 PAYLOAD_TOO_LARGE (JSON) on every operation, however they
// arrive (plain, chunked, compressed, or merely announced), before anything is written; a body of
// exactly 64 KiB is still read. tests/http/createToken.test.ts checks the token route alone.
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { createMintingClient, createWallet, type Actor } from '../support/operations.js';
import { startApi, type RunningApi } from '../../src/runtime/services.js';
import { MAX_BODY_BYTES } from '../../src/http/app.js';
import { documentedOperations } from './support/openapi-operations.js';
import { countWrites, NO_WRITES, difference } from './support/write-counts.js';
import { sendRaw } from './support/raw-http.js';

let t: TestApp;
let actor: Actor;
let server: RunningApi;

beforeAll(async () => {
  t = await createTestApp();
  actor = await createMintingClient(t, { webhookUrl: 'http://127.0.0.1:9/hooks' });
  await createWallet(t, actor, 'alice');
  server = await startApi(t.ctx, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await server.close();
  await t.close();
});

/** A JSON object of exactly `bytes` bytes: plausible fields plus padding. */
const jsonOfSize = (bytes: number) => {
  const shell = JSON.stringify({ to: '0x000000000000000000000000000000000000dEaD', amount: '1', padding: '' });
  return `${shell.slice(0, -2)}${'p'.repeat(bytes - shell.length)}"}`;
};

const operations = documentedOperations();
const call = (op: (typeof operations)[number], body: Buffer | string, headers: Record<string, string> = {}) => {
  const path = op.path.replace('{transactionId}', 'tx_01jj0c2m3n4p5q6r7s8t9v0w1y').replace('{deliveryId}', 'del_01jj0c2m3n4p5q6r7s8t9v0w1y');
  return (request(t.app) as unknown as Record<string, (p: string) => request.Test>)
    [op.method](path)
    .set({ Authorization: `Bearer ${actor.token}`, 'X-User-Id': 'alice', 'Content-Type': 'application/json', ...headers })
    .serialize((b: unknown) => b as string)
    .send(body);
};

describe.each(operations.map((op) => [`${op.method.toUpperCase()} ${op.path}`, op] as const))('%s', (_name, op) => {
  it(`refuses ${MAX_BODY_BYTES + 1} bytes with 413 PAYLOAD_TOO_LARGE and writes nothing`, async () => {
    const before = await countWrites(t.ctx.db);
    expectError(await call(op, jsonOfSize(MAX_BODY_BYTES + 1)), 413, 'PAYLOAD_TOO_LARGE');
    expect(difference(await countWrites(t.ctx.db), before)).toEqual(NO_WRITES);
  });

  it(`reads a body of exactly ${MAX_BODY_BYTES} bytes`, async () => {
    expect((await call(op, jsonOfSize(MAX_BODY_BYTES))).status).not.toBe(413);
  });
});

describe('however the body arrives', () => {
  const transfer = operations.find((op) => op.operationId === 'transferTokens')!;

  it('counts what a compressed body inflates to: a 4 MiB gzip bomb of a few KiB is 413', async () => {
    const bomb = gzipSync(Buffer.from(jsonOfSize(4 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(MAX_BODY_BYTES);
    expectError(await call(transfer, bomb, { 'Content-Encoding': 'gzip' }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses a chunked body (no Content-Length) once it passes the limit', async () => {
    const body = jsonOfSize(MAX_BODY_BYTES * 2);
    const chunks = body
      .match(/[\s\S]{1,8192}/g)!
      .map((c) => `${c.length.toString(16)}\r\n${c}\r\n`)
      .join('');
    const answer = await sendRaw(
      server.url,
      [
        'POST /api/v1/wallet/transfer HTTP/1.1',
        'Host: chronos.test',
        `Authorization: Bearer ${actor.token}`,
        'X-User-Id: alice',
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
      ].join('\r\n'),
      `${chunks}0\r\n\r\n`,
    );
    expect({ status: answer.status, code: answer.json?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('refuses a declared Content-Length over the limit without waiting for the body', async () => {
    const started = Date.now();
    const answer = await sendRaw(
      server.url,
      [
        'POST /api/v1/wallet/transfer HTTP/1.1',
        'Host: chronos.test',
        `Authorization: Bearer ${actor.token}`,
        'X-User-Id: alice',
        'Content-Type: application/json',
        'Content-Length: 1000000000',
      ].join('\r\n'),
    );
    expect({ status: answer.status, code: answer.json?.code }).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
