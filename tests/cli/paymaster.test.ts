import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPublicClient, http, parseEther, parseGwei, toHex, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { runChronosCli, type CliRun } from '../support/cli.js';
import { testStackEnv } from '../support/stack-env.js';
import { deployTestPaymaster } from '../support/paymasters.js';
import { toChain } from '../../src/chain/clients.js';
import { readPaymasterDeposit } from '../../src/chain/paymaster-deposit.js';
import { ENTRY_POINT_07_ADDRESS } from '../../src/dev/canonical-contracts.js';
import { EMBEDDED_DEPLOYER_PRIVATE_KEY } from '../../src/runtime/embedded-keys.js';
import type { DevFile } from '../../src/runtime/home.js';

// A paymaster of this file's own, owned by a fresh key: the shared one's deposit moves with every
// other test file's sponsored operations, and a shared key's nonces with their transactions.
const ownerKey: Hex = generatePrivateKey();
const owner = privateKeyToAccount(ownerKey).address;
const verifyingSigner = privateKeyToAccount(generatePrivateKey()).address;
const OWNER_FUNDS = parseEther('10');

const stack = () => testStackEnv();
const publicClient = () => createPublicClient({ chain: toChain(stack()), transport: http(stack().rpcUrl) });
const setBalance = (address: Address, wei: bigint) => publicClient().request({ method: 'anvil_setBalance' as never, params: [address, toHex(wei)] as never });

let paymaster: Address;
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'chronos-cli-paymaster-'));
  await setBalance(owner, OWNER_FUNDS);
  paymaster = await deployTestPaymaster({ ownerKey, verifyingSigner });
});
afterAll(() => rm(folder, { recursive: true, force: true }));

/** The variables of a deployment with its own paymaster (not the embedded default). */
const external = (extra: Record<string, string> = {}) => ({
  PAYMASTER_ADDRESS: paymaster,
  RPC_URL: stack().rpcUrl,
  CHAIN_ID: String(stack().chainId),
  DEPLOYER_PRIVATE_KEY: ownerKey,
  ...extra,
});

/** Runs in an empty folder, so no .chronos/dev.json of the checkout is found. */
const chronos = async (args: string[], env: Record<string, string>) => runChronosCli(args, env, { cwd: await mkdtemp(join(folder, 'run-')) });

const oneJsonObject = (run: CliRun) => {
  expect(run.stdout.trim().split('\n')).toHaveLength(1);
  return run.json;
};

const deposit = () => readPaymasterDeposit(publicClient(), paymaster);

describe('chronos paymaster status', () => {
  it('shows the paymaster, its EntryPoint, deposit, verifying signer, owner and the deployer balance, as one JSON object with wei as strings', async () => {
    const [run, wei, balance] = await Promise.all([
      chronos(['paymaster', 'status', '--json'], external()),
      deposit(),
      publicClient().getBalance({ address: owner }),
    ]);
    expect(run.code).toBe(0);
    expect(oneJsonObject(run)).toEqual({
      paymaster,
      entryPoint: ENTRY_POINT_07_ADDRESS,
      depositWei: wei.toString(),
      depositEther: expect.any(String),
      verifyingSigner,
      owner,
      deployer: owner,
      deployerBalanceWei: balance.toString(),
      deployerBalanceEther: expect.any(String),
      chainId: stack().chainId,
      embedded: false,
    });
    expect(parseEther(run.json.depositEther)).toBe(wei);
    expect(parseEther(run.json.deployerBalanceEther)).toBe(balance);
  });

  it('as text, one labelled line each; without a key, no deployer line', async () => {
    const { DEPLOYER_PRIVATE_KEY: _, ...withoutKey } = external();
    const [withKey, keyless] = await Promise.all([chronos(['paymaster', 'status'], external()), chronos(['paymaster', 'status'], withoutKey)]);
    expect(withKey.code).toBe(0);
    expect(withKey.stdout).toMatch(new RegExp(`^paymaster: +${paymaster}$`, 'm'));
    expect(withKey.stdout).toMatch(new RegExp(`^EntryPoint: +${ENTRY_POINT_07_ADDRESS}$`, 'm'));
    expect(withKey.stdout).toMatch(/^deposit: +[\d.]+ ether \(\d+ wei\)$/m);
    expect(withKey.stdout).toMatch(new RegExp(`^verifying signer: +${verifyingSigner}$`, 'm'));
    expect(withKey.stdout).toMatch(new RegExp(`^owner: +${owner}$`, 'm'));
    expect(withKey.stdout).toMatch(new RegExp(`^deployer: +${owner}, balance [\\d.]+ ether \\(\\d+ wei\\)$`, 'm'));
    expect(keyless.code).toBe(0);
    expect(keyless.stdout).toMatch(new RegExp(`^owner: +${owner}$`, 'm'));
    expect(keyless.stdout).not.toMatch(/^deployer:/m);
  });

  it('in a folder where the embedded default runs, finds the paymaster in .chronos/dev.json and names the embedded deployer', async () => {
    const project = join(folder, 'project');
    await mkdir(join(project, '.chronos'), { recursive: true });
    // Only the chain and paymaster fields matter here; the rest is what `chronos start` writes alongside.
    const dev: Partial<DevFile> = { rpcUrl: stack().rpcUrl, chainId: stack().chainId, paymaster, paymasterUrl: null, databaseUrl: 'postgres://unused' };
    await writeFile(join(project, '.chronos', 'dev.json'), JSON.stringify(dev));
    const run = await runChronosCli(['paymaster', 'status', '--json'], {}, { cwd: project });
    expect(run.code).toBe(0);
    expect(oneJsonObject(run)).toMatchObject({ paymaster, owner, embedded: true, deployer: privateKeyToAccount(EMBEDDED_DEPLOYER_PRIVATE_KEY).address });
  });
});

describe('chronos paymaster deposit', () => {
  it.each([
    ['0.5', parseEther('0.5')],
    ['2000000gwei', parseGwei('2000000')],
    ['10wei', 10n],
    ['0.25ether', parseEther('0.25')],
  ])('deposit %s raises the deposit by exactly that much, paid by the deployer with its gas', async (amount, wei) => {
    const [before, balanceBefore] = await Promise.all([deposit(), publicClient().getBalance({ address: owner })]);
    const run = await chronos(['paymaster', 'deposit', amount, '--json'], external());
    expect(run.code).toBe(0);
    const result = oneJsonObject(run);
    expect(result).toEqual({
      transactionHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      paymaster,
      amountWei: wei.toString(),
      depositWei: (before + wei).toString(),
      depositEther: expect.any(String),
    });
    expect(await deposit()).toBe(before + wei);
    const receipt = await publicClient().getTransactionReceipt({ hash: result.transactionHash });
    expect(receipt.status).toBe('success');
    expect(await publicClient().getBalance({ address: owner })).toBe(balanceBefore - wei - receipt.gasUsed * receipt.effectiveGasPrice);
  });

  it('as text, prints the transaction and the new deposit', async () => {
    const before = await deposit();
    const run = await chronos(['paymaster', 'deposit', '1wei'], external());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^deposited 0\\.000000000000000001 ether \\(1 wei\\) to the paymaster ${paymaster} in transaction 0x[0-9a-f]{64}$`, 'm'),
    );
    expect(run.stdout).toMatch(new RegExp(`^deposit is now [\\d.]+ ether \\(${before + 1n} wei\\)$`, 'm'));
  });
});

describe('chronos paymaster withdraw', () => {
  it('sends exactly AMOUNT of the deposit to TO, as the owner', async () => {
    const to = privateKeyToAccount(generatePrivateKey()).address;
    await chronos(['paymaster', 'deposit', '0.3'], external());
    const before = await deposit();
    const run = await chronos(['paymaster', 'withdraw', '0.2', to, '--json'], external());
    expect(run.code).toBe(0);
    expect(oneJsonObject(run)).toEqual({
      transactionHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      paymaster,
      to,
      amountWei: parseEther('0.2').toString(),
      depositWei: (before - parseEther('0.2')).toString(),
      depositEther: expect.any(String),
    });
    expect(await publicClient().getBalance({ address: to })).toBe(parseEther('0.2'));
    expect(await deposit()).toBe(before - parseEther('0.2'));
  });

  it('as text, prints the transaction and the new deposit', async () => {
    const to = privateKeyToAccount(generatePrivateKey()).address;
    const before = await deposit();
    const run = await chronos(['paymaster', 'withdraw', '5gwei', to], external());
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(`^withdrew 0\\.000000005 ether \\(5000000000 wei\\) from the paymaster ${paymaster} to ${to} in transaction 0x[0-9a-f]{64}$`, 'm'),
    );
    expect(run.stdout).toMatch(new RegExp(`^deposit is now [\\d.]+ ether \\(${before - parseGwei('5')} wei\\)$`, 'm'));
    expect(await publicClient().getBalance({ address: to })).toBe(parseGwei('5'));
  });
});

describe('what the paymaster commands refuse, sending nothing', () => {
  const stranger = generatePrivateKey();
  const broke = generatePrivateKey();
  const fresh = privateKeyToAccount(generatePrivateKey()).address;

  // Each refusal leaves the deposit, the owner's nonce and TO's balance as they were. --json comes
  // before the arguments, which may end in `-- -1`.
  const expectRefused = async (subcommand: string, args: string[], env: Record<string, string>, code: number, message: RegExp) => {
    const [before, nonce] = await Promise.all([deposit(), publicClient().getTransactionCount({ address: owner })]);
    const run = await chronos(['paymaster', subcommand, '--json', ...args], env);
    expect(run.code).toBe(code);
    expect(oneJsonObject(run)).toEqual({ error: expect.stringMatching(message), code: code === 2 ? 'USAGE_ERROR' : 'COMMAND_FAILED' });
    expect(await deposit()).toBe(before);
    expect(await publicClient().getTransactionCount({ address: owner })).toBe(nonce);
    expect(await publicClient().getBalance({ address: fresh })).toBe(0n);
  };

  it.each([
    [['0'], /AMOUNT must be more than zero/],
    [['0wei'], /AMOUNT must be more than zero/],
    [['--', '-1'], /AMOUNT must be positive/],
    [['lots'], /AMOUNT must be a number of ether, gwei or wei.*not 'lots'/],
    [['0.5eth'], /AMOUNT must be a number of ether, gwei or wei/],
    [['1e18'], /AMOUNT must be a number of ether, gwei or wei/],
    [['0.1234567890123456789'], /AMOUNT in ether has at most 18 decimals/],
    [['0.0000000001gwei'], /AMOUNT in gwei has at most 9 decimals/],
    [['1.5wei'], /AMOUNT in wei must be a whole number/],
  ])('deposit %j: exit 2 and what AMOUNT must be', async (amount, message) => {
    await expectRefused('deposit', amount, external(), 2, message);
  });

  it('deposit more than the deployer has: exit 1, naming its balance', async () => {
    const address = privateKeyToAccount(broke).address;
    await setBalance(address, parseEther('0.01'));
    await expectRefused(
      'deposit',
      ['0.5'],
      external({ DEPLOYER_PRIVATE_KEY: broke }),
      1,
      new RegExp(`deployer ${address} has 0\\.01 ether .* less than the 0\\.5 ether`),
    );
    expect(await publicClient().getBalance({ address })).toBe(parseEther('0.01'));
  });

  it('deposit all the deployer has, leaving nothing for gas: exit 1', async () => {
    const address = privateKeyToAccount(broke).address;
    await setBalance(address, parseEther('0.01'));
    await expectRefused('deposit', ['0.01'], external({ DEPLOYER_PRIVATE_KEY: broke }), 1, /not enough for 0\.01 ether .* plus up to [\d.]+ ether of gas/);
    expect(await publicClient().getBalance({ address })).toBe(parseEther('0.01'));
  });

  it('withdraw to something that is not an address: exit 2', async () => {
    await expectRefused('withdraw', ['0.1', '0x1234'], external(), 2, /TO must be an address .* not '0x1234'/);
  });

  it('withdraw more than the deposit: exit 1, saying how much there is', async () => {
    const available = await deposit();
    const more = `${available + 1n}wei`;
    await expectRefused('withdraw', [more, fresh], external(), 1, new RegExp(`deposit is [\\d.]+ ether \\(${available} wei\\), less than the`));
  });

  it('withdraw with a key that is not the owner: exit 1, naming the owner', async () => {
    await setBalance(privateKeyToAccount(stranger).address, parseEther('1'));
    await expectRefused(
      'withdraw',
      ['1wei', fresh],
      external({ DEPLOYER_PRIVATE_KEY: stranger }),
      1,
      new RegExp(`only the paymaster's owner ${owner} can withdraw`),
    );
  });

  it.each([
    ['status', []],
    ['deposit', ['0.1']],
    ['withdraw', ['0.1', fresh]],
  ])('%s with a hosted paymaster (PAYMASTER_URL): exit 2, there is no own paymaster', async (subcommand, args) => {
    await expectRefused(subcommand, args, external({ PAYMASTER_URL: stack().paymasterUrl }), 2, /hosted ERC-7677 paymaster \(PAYMASTER_URL\) sponsors/);
  });

  it('status where .chronos/dev.json names a hosted paymaster: exit 2', async () => {
    const project = join(folder, 'hosted');
    await mkdir(join(project, '.chronos'), { recursive: true });
    const dev: Partial<DevFile> = { rpcUrl: stack().rpcUrl, chainId: stack().chainId, paymasterUrl: stack().paymasterUrl, databaseUrl: 'postgres://unused' };
    await writeFile(join(project, '.chronos', 'dev.json'), JSON.stringify(dev));
    const run = await runChronosCli(['paymaster', 'status', '--json'], {}, { cwd: project });
    expect(run.code).toBe(2);
    expect(oneJsonObject(run)).toEqual({ error: expect.stringMatching(/hosted ERC-7677 paymaster/), code: 'USAGE_ERROR' });
  });

  it.each([
    [{}, /PAYMASTER_ADDRESS, RPC_URL and CHAIN_ID are not set and no \.chronos\/dev\.json is here/],
    [{ RPC_URL: 'http://127.0.0.1:1', CHAIN_ID: '1' }, /RPC_URL, CHAIN_ID are set .* PAYMASTER_ADDRESS must be set too/],
    [{ DATABASE_URL: 'postgres://somewhere/db' }, /DATABASE_URL is set .* PAYMASTER_ADDRESS, RPC_URL, CHAIN_ID must be set too/],
    [{ PAYMASTER_ADDRESS: '0xnope', RPC_URL: 'http://127.0.0.1:1', CHAIN_ID: '1' }, /PAYMASTER_ADDRESS must be an address/],
  ])('status with %j (and no dev.json): exit 2 and what to set', async (env, message) => {
    await expectRefused('status', [], env as Record<string, string>, 2, message);
  });

  it('a PAYMASTER_ADDRESS with no contract: exit 2, naming it', async () => {
    await expectRefused(
      'status',
      [],
      external({ PAYMASTER_ADDRESS: fresh }),
      2,
      new RegExp(`PAYMASTER_ADDRESS ${fresh} has no contract on chain ${stack().chainId}`),
    );
  });

  it('deposit without DEPLOYER_PRIVATE_KEY: exit 2', async () => {
    const { DEPLOYER_PRIVATE_KEY: _, ...withoutKey } = external();
    await expectRefused('deposit', ['0.1'], withoutKey, 2, /DEPLOYER_PRIVATE_KEY must be set/);
  });
});
