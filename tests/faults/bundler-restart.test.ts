// alto killed (SIGKILL, then SIGTERM) while 50 operations are SUBMITTED and nothing is mined, its
// bundle transactions dropped from the node too, then started again with an empty mempool: every
// operation is re-sent from storage (a stalled operation is re-sent every STALLED_AFTER_SECONDS) and
// ends CONFIRMED, each executed exactly once (EntryPoint nonce, balances, UserOperationEvents).
import { createPublicClient, erc20Abi, http, parseAbi, parseAbiItem, parseEther, toHex, type Address } from 'viem';
import { getFreePorts } from '../../src/dev/free-port.js';
import { startBundler, type Bundler } from '../../src/dev/alto.js';
import { stopChild } from '../../src/dev/anvil.js';
import { ENTRY_POINT_07_ADDRESS } from '../../src/dev/canonical-contracts.js';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { findTransaction } from '../../src/db/transactions.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createMintingClient, requestMint, type Actor } from '../support/operations.js';
import { testStackEnv } from '../support/stack-env.js';
import { terminalStatuses } from './support.js';

const OPERATIONS = 50;
const stack = testStackEnv();
const chain = createPublicClient({ transport: http(stack.rpcUrl) });
const entryPointAbi = parseAbi(['function getNonce(address sender, uint192 key) view returns (uint256)']);
const userOperationEvent = parseAbiItem(
  'event UserOperationEvent(bytes32 indexed userOpHash, address indexed sender, address indexed paymaster, uint256 nonce, bool success, uint256 actualGasCost, uint256 actualGasUsed)',
);

let port: number;
let bundler: Bundler;
let t: TestApp;
let actor: Actor;

// A bundler of this file's own, with keys no other bundler uses, so killing it touches nothing shared.
const executorKeys = [generatePrivateKey(), generatePrivateKey()];
const utilityKey = generatePrivateKey();
const startOwnBundler = () => startBundler({ rpcUrl: stack.rpcUrl, port, executorPrivateKeys: executorKeys, utilityPrivateKey: utilityKey });
const anvil = (method: string, params: unknown[] = []) => chain.request({ method: method as never, params: params as never });

beforeAll(async () => {
  [port] = await getFreePorts(1);
  for (const key of [...executorKeys, utilityKey]) await anvil('anvil_setBalance', [privateKeyToAccount(key).address, toHex(parseEther('1000'))]);
  bundler = await startOwnBundler();
  t = await createTestApp({
    worker: true,
    env: { BUNDLER_URL: bundler.url, WORKER_CONCURRENCY: '64', STALLED_AFTER_SECONDS: '10', INCLUSION_TIMEOUT_SECONDS: '300' },
  });
  actor = await createMintingClient(t);
});
afterAll(async () => {
  await anvil('evm_setAutomine', [true]);
  await t?.close();
  await bundler?.stop();
});

describe.each(['SIGKILL', 'SIGTERM'] as const)('alto stopped by %s with 50 operations SUBMITTED', (signal) => {
  it('re-sends every one from storage once it is back: all CONFIRMED, each executed once', async () => {
    await anvil('evm_setAutomine', [false]);
    const ids: string[] = [];
    for (let i = 0; i < OPERATIONS; i++) {
      const res = await requestMint(t, actor, `restart-${signal}-${i}`, { receiptId: `restart-${signal}-${i}`, amountWei: BigInt(i + 1) });
      expect(res.status).toBe(202);
      ids.push(res.body.transactionId);
    }
    let submitted = 0;
    for (const deadline = Date.now() + 60_000; submitted < OPERATIONS && Date.now() < deadline; ) {
      const rows = await t.ctx.db.selectFrom('transactions').select('status').where('id', 'in', ids).execute();
      submitted = rows.filter((r) => r.status === 'SUBMITTED').length;
      if (submitted < OPERATIONS) await new Promise((r) => setTimeout(r, 200));
    }
    expect(submitted).toBe(OPERATIONS);

    // The bundler goes, with whatever it held; so do the bundles it had handed to the node.
    bundler.process.kill(signal);
    await stopChild(bundler.process, 10_000);
    await anvil('anvil_dropAllTransactions');
    bundler = await startOwnBundler();
    await anvil('evm_setAutomine', [true]);

    const done = await terminalStatuses(t, actor, ids, 180_000);
    expect(done.map((d) => d.status)).toEqual(ids.map(() => 'CONFIRMED'));
    for (const [i, id] of ids.entries()) {
      const row = (await findTransaction(t.ctx.db, id))!;
      const sender = row.wallet_address as Address;
      // Lost with the mempool and the dropped bundles, it was included only after the stall's re-send from storage
      // (the restarted bundler not knowing it, or, still starting, not answering).
      expect(row.stall_reason).toMatch(/(no longer known to the bundler \(dropped\)|could not say whether it holds it); re-sent$/);
      // One UserOperation of this account ever executed, and it minted exactly once.
      expect(await chain.readContract({ address: ENTRY_POINT_07_ADDRESS, abi: entryPointAbi, functionName: 'getNonce', args: [sender, 0n] })).toBe(1n);
      expect(await chain.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [sender] })).toBe(BigInt(i + 1));
      const events = await chain.getLogs({ address: ENTRY_POINT_07_ADDRESS, event: userOperationEvent, args: { sender }, fromBlock: 0n });
      expect(events.map((e) => e.args.userOpHash)).toEqual([row.user_op_hash]);
    }
  });
});
