// A request counts against the category of the operation it was matched to, however its path is
// spelled: Express matches paths case-insensitively, so `/API/V1/MINT/PREPARE` is a mint prepare and
// must be counted as minting (10 per minute), not as general (100).
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { RATE_LIMIT_DEFAULTS: '' } });
});
afterAll(() => t.close());

describe('rate-limit categories', () => {
  it.each([
    ['/api/v1/mint/prepare', '10'],
    ['/API/V1/MINT/PREPARE', '10'],
    ['/Api/V1/Mint/Prepare', '10'],
    ['/API/V1/WEBHOOKS/TEST', '30'],
    ['/API/V1/WALLET/CREATE', '100'],
  ])('when POST %s is sent, it is counted against a limit of %s', async (path, limit) => {
    const client = await t.createClient();
    const token = await t.tokenFor(client);
    const res = await request(t.app).post(path).set('Authorization', `Bearer ${token}`).set('X-User-Id', 'alice').send({});
    expect(res.headers['x-ratelimit-limit']).toBe(limit);
  });
});
