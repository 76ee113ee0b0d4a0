// `chronos policy set | show | disable | enable | clear`, run as the operator would, each with --json
// printing one JSON object.
import { runChronosCli, type CliRun as Run } from '../support/cli.js';
import { createTestDatabase, dropTestDatabase } from '../support/test-app.js';
import { createDb, createPool } from '../../src/db/connect.js';
import { createClient } from '../../src/admin/clients.js';
import { parsePeriodLimits } from '../../src/admin/policies.js';
import { findPolicy } from '../../src/policy/quota.js';

let databaseUrl: string;
let pool: ReturnType<typeof createPool>;
let clientId: string;

const chronos = (args: string[]) => runChronosCli(args, { DATABASE_URL: databaseUrl });

const oneJsonObject = (run: Run) => {
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  expect(run.json).toEqual(expect.any(Object));
};

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
  pool = createPool({ connectionString: databaseUrl, max: 1 });
  clientId = (await createClient(createDb(pool), { name: 'policy cli' })).client.clientId;
});
afterAll(async () => {
  await pool.end();
  await dropTestDatabase(databaseUrl);
});

describe('chronos policy', () => {
  it('set stores daily/weekly/monthly limits; an operation left out, or a period given as -, is unlimited', async () => {
    const run = await chronos(['policy', 'set', clientId, '--mint', '10/50/200', '--transfer=-/100/500', '--json']);
    expect(run.code).toBe(0);
    oneJsonObject(run);
    expect(run.json).toEqual({
      clientId,
      configured: true,
      enabled: true,
      limits: {
        mint: { daily: 10, weekly: 50, monthly: 200 },
        transfer: { daily: null, weekly: 100, monthly: 500 },
        claim: null,
        payout: null,
        escrow_fund: null,
        escrow_release: null,
        escrow_refund: null,
        withdrawal: null,
        certificate_issue: null,
        certificate_revoke: null,
      },
      gasBudgets: { client: null, user: null },
      updatedAt: expect.any(String),
    });
    const row = await findPolicy(createDb(pool), clientId);
    expect(row).toMatchObject({ enabled: true, mint_daily: 10, transfer_daily: null, transfer_weekly: 100, claim_monthly: null });
  });

  it('disable and enable switch it off and on; set keeps a disabled policy disabled', async () => {
    const disabled = await chronos(['policy', 'disable', clientId, '--json']);
    expect([disabled.code, disabled.json.enabled]).toEqual([0, false]);
    const reset = await chronos(['policy', 'set', clientId, '--claim', '5/25/100', '--json']);
    expect(reset.json).toMatchObject({ enabled: false, limits: { mint: null, transfer: null, claim: { daily: 5, weekly: 25, monthly: 100 } } });
    const enabled = await chronos(['policy', 'enable', clientId, '--json']);
    expect([enabled.code, enabled.json.enabled]).toEqual([0, true]);
  });

  it('show prints it for people, and clear removes it', async () => {
    const shown = await chronos(['policy', 'show', clientId]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`policy of ${clientId}: enabled`);
    expect(shown.stdout).toMatch(/claim: +5\/day, 25\/week, 100\/month/);
    expect(shown.stdout).toMatch(/mint: +unlimited/);
    const cleared = await chronos(['policy', 'clear', clientId, '--json']);
    expect(cleared.json).toMatchObject({ clientId, configured: false, enabled: false, limits: { mint: null, transfer: null, claim: null } });
    expect(await findPolicy(createDb(pool), clientId)).toBeUndefined();
    expect((await chronos(['policy', 'show', clientId, '--json'])).json.configured).toBe(false);
  });

  it('set stores gas budgets (ether units or wei, - for none), show prints them, clear removes them', async () => {
    const run = await chronos(['policy', 'set', clientId, '--gas-budget-client', '0.05ether/0.2ether/1ether', '--gas-budget-user=-/-/1000', '--json']);
    expect(run.code).toBe(0);
    oneJsonObject(run);
    expect(run.json.gasBudgets).toEqual({
      client: { daily: '50000000000000000', weekly: '200000000000000000', monthly: '1000000000000000000' },
      user: { daily: null, weekly: null, monthly: '1000' },
    });
    expect((await chronos(['policy', 'show', clientId])).stdout).toMatch(/gas budget per client: +0\.05 ether\/day, 0\.2 ether\/week, 1 ether\/month/);
    expect((await chronos(['policy', 'show', clientId, '--json'])).json.gasBudgets).toEqual(run.json.gasBudgets);
    const bad = await chronos(['policy', 'set', clientId, '--gas-budget-user', '0.05eth/1/1', '--json']);
    expect([bad.code, bad.json.error]).toEqual([2, expect.stringMatching(/--gas-budget-user must be DAILY\/WEEKLY\/MONTHLY/)]);
    const cleared = await chronos(['policy', 'clear', clientId, '--json']);
    expect(cleared.json.gasBudgets).toEqual({ client: null, user: null });
  });

  it('refuses malformed limits as a usage error', async () => {
    for (const spec of ['10/50', '10/50/200/1', 'ten/50/200', '1.5/2/3', '-1/2/3', '']) {
      expect(() => parsePeriodLimits(spec, 'mint')).toThrow(/--mint must be DAILY\/WEEKLY\/MONTHLY/);
    }
    const run = await chronos(['policy', 'set', clientId, '--mint', '10/50', '--json']);
    expect(run.code).toBe(2);
    oneJsonObject(run);
    expect(run.json.error).toMatch(/--mint must be DAILY\/WEEKLY\/MONTHLY/);
    expect((await chronos(['policy', 'set', clientId, '--json'])).code).toBe(2);
  });

  it('names what is missing: an unknown client, or no policy to switch', async () => {
    const unknown = await chronos(['policy', 'show', 'client_nobody', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.json.error).toMatch(/no client with id 'client_nobody'/);
    const none = await chronos(['policy', 'enable', clientId, '--json']);
    expect(none.code).toBe(1);
    expect(none.json.error).toMatch(/has no transaction policy/);
  });
});
