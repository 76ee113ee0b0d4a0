import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';

// The contract Chronos was first published with, vendored byte for byte: openapi.json may add to it, never change it.
const seed = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'seed-openapi.json'), 'utf8'));
const shipped = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'openapi.json'), 'utf8'));

/** Every path of `a` exists in `b` with the same value: `b` may add, never change or remove. */
function missingOrChanged(a: unknown, b: unknown, path = ''): string[] {
  if (a === null || typeof a !== 'object') return a === b ? [] : [path || '(root)'];
  if (b === null || typeof b !== 'object') return [path];
  if (Array.isArray(a)) {
    // An array keeps the seed's items, in order; items added after them are additions (a new tag).
    if (!Array.isArray(b) || b.length < a.length) return [path];
    return a.flatMap((v, i) => missingOrChanged(v, b[i], `${path}[${i}]`));
  }
  return Object.entries(a).flatMap(([k, v]) => missingOrChanged(v, (b as Record<string, unknown>)[k], `${path}.${k}`));
}

describe('openapi.json', () => {
  it('keeps everything the seed contract defines (additions only)', () => {
    expect(missingOrChanged(seed, shipped)).toEqual([]);
  });

  describe('served', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
    });
    afterAll(() => t.close());

    it('at /openapi.json', async () => {
      const res = await request(t.app).get('/openapi.json');
      expect(res.status).toBe(200);
      expect(res.body).toEqual(shipped);
    });

    it('with a liveness probe at /healthz', async () => {
      expect((await request(t.app).get('/healthz')).body).toEqual({ status: 'ok' });
    });
  });
});
