// /docs renders openapi.json as an interactive reference in a real (headless) browser, from assets
// served by Chronos itself: the page must work on a machine without internet access.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { chromium, type BrowserContext } from 'playwright-core';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { listen, type RunningServer } from '../../src/runtime/http-server.js';
import { loadOpenApiDocument } from '../../src/http/openapi.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let t: TestApp;
let server: RunningServer;
let profile: string;
let browser: BrowserContext;

beforeAll(async () => {
  // Not skipped when missing: a suite that passes without rendering /docs would prove nothing about it.
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} not found: the /docs test needs Chromium (Debian/Ubuntu: sudo apt-get install chromium; see README, Quick start)`);
  t = await createTestApp();
  server = await listen(t.app, { port: 0, host: '127.0.0.1' });
  profile = await mkdtemp(join(tmpdir(), 'chronos-docs-chromium-'));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  await server?.close();
  await t?.close();
});

type Operation = { operationId: string; summary: string; method: string; path: string };
function documentedOperations(): Operation[] {
  const doc = loadOpenApiDocument() as unknown as { paths: Record<string, Record<string, { operationId: string; summary: string }>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ operationId: op.operationId, summary: op.summary, method, path })),
  );
}

describe('GET /docs', () => {
  it('redirects to the page with a trailing slash, whose assets are served by Chronos', async () => {
    const bare = await request(t.app).get('/docs');
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toBe('docs/');
    const page = await request(t.app).get('/docs/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).not.toMatch(/https?:\/\//);
    for (const asset of ['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/init.js']) {
      expect((await request(t.app).get(asset)).status).toBe(200);
    }
    expect((await request(t.app).get('/docs/assets/package.json')).status).toBe(404);
  });

  it('renders every operation of openapi.json in a browser, without fetching anything from another host', async () => {
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.origin === new URL(server.url).origin) return route.continue();
      elsewhere.push(url.toString());
      return route.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${server.url}/docs`);
    const operations = documentedOperations();
    await page
      .locator('.opblock')
      .nth(operations.length - 1)
      .waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBe(operations.length);

    const rendered = await page.locator('#swagger-ui').innerText();
    expect(rendered).toContain('Chronos API');
    for (const op of operations) {
      expect(rendered).toContain(op.operationId);
      expect(rendered).toContain(op.summary);
      expect(rendered).toContain(op.path);
    }
    // The interactive part is there too: an operation opens with its "Try it out" button.
    await page.locator('.opblock-summary').first().click();
    await page.locator('.try-out__btn').first().waitFor({ timeout: 10_000 });

    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows the reference on the first screen, with the guide collapsed above it and opening on a click', async () => {
    const page = await browser.newPage();
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${server.url}/docs/`);
    const first = page.locator('.opblock').first();
    await first.waitFor({ timeout: 30_000 });
    const box = await first.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.y + box!.height).toBeLessThanOrEqual(720);
    expect(await first.isVisible()).toBe(true);

    const guide = page.locator('.info details');
    expect(await guide.count()).toBe(1);
    const statusesHeading = guide.locator('h3', { hasText: 'The async flow' });
    expect(await statusesHeading.isVisible()).toBe(false);
    await guide.locator('summary').click();
    await statusesHeading.waitFor({ state: 'visible', timeout: 10_000 });
    // The guide's markdown is rendered (a table), not shown as source.
    expect(await guide.locator('table td code', { hasText: 'SUBMITTED' }).count()).toBeGreaterThan(0);
    await page.close();
  });

  it('gives Swagger UI the contract with only the introduction replaced; /openapi.json itself is unchanged', async () => {
    const contract = loadOpenApiDocument();
    const derived = (await request(t.app).get('/docs/openapi.json')).body;
    const { info: derivedInfo, ...derivedRest } = derived;
    const { info: contractInfo, ...contractRest } = contract as unknown as { info: Record<string, unknown> };
    expect(derivedRest).toEqual(contractRest);
    expect({ ...derivedInfo, description: undefined }).toEqual({ ...contractInfo, description: undefined });
    expect((await request(t.app).get('/openapi.json')).body).toEqual(contract);
  });
});
