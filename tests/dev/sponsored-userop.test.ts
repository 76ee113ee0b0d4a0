// The path every Chronos operation depends on, exercised against the shared local stack: a
// SimpleAccount (EntryPoint v0.7) with no ETH sends UserOperations through alto, sponsored by
// ChronosPaymaster through an ERC-7677 service (tests/support/erc7677-paymaster.ts), and the first one
// deploys the account.
import { http, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount, privateKeyToAddress } from 'viem/accounts';
import { createPaymasterClient, entryPoint07Address } from 'viem/account-abstraction';
import { toSimpleSmartAccount } from 'permissionless/accounts';
import { createSmartAccountClient } from 'permissionless';
import { createPimlicoClient } from 'permissionless/clients/pimlico';
import { createChainPublicClient, toChain } from '../../src/chain/clients.js';

function need(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest so global-setup starts the stack`);
  return value;
}

const rpcUrl = need('CHRONOS_TEST_RPC_URL');
const bundlerUrl = need('CHRONOS_TEST_BUNDLER_URL');
const paymasterUrl = need('CHRONOS_TEST_PAYMASTER_URL');
const chainId = Number(need('CHRONOS_TEST_CHAIN_ID'));

const chain = toChain({ rpcUrl, chainId });
const publicClient = createChainPublicClient({ rpcUrls: [rpcUrl], chainId });
const entryPoint = { address: entryPoint07Address, version: '0.7' } as const;
// viem polls every 4 s by default on a chain without a block time; anvil mines on every transaction.
const pollingInterval = 50;

async function newSponsoredAccountClient() {
  const account = await toSimpleSmartAccount({
    client: publicClient,
    owner: privateKeyToAccount(generatePrivateKey()),
    entryPoint,
  });
  const paymaster = createPaymasterClient({ transport: http(paymasterUrl) });
  // alto quotes the gas price (a Pimlico method the bundler serves).
  const gasPrice = createPimlicoClient({ transport: http(bundlerUrl), entryPoint, pollingInterval });
  return createSmartAccountClient({
    account,
    chain,
    bundlerTransport: http(bundlerUrl),
    paymaster,
    pollingInterval,
    userOperation: { estimateFeesPerGas: async () => (await gasPrice.getUserOperationGasPrice()).fast },
  });
}

type SmartAccountClient = Awaited<ReturnType<typeof newSponsoredAccountClient>>;

/** Sends a no-op call to a random address and waits for the receipt, timing both halves. */
async function sendNoOp(client: SmartAccountClient): Promise<{ success: boolean; sender: Address; sendMs: number; receiptMs: number; hash: Hex }> {
  const to: Address = privateKeyToAddress(generatePrivateKey());
  const t0 = performance.now();
  const hash = await client.sendUserOperation({ calls: [{ to, value: 0n, data: '0x' }] });
  const t1 = performance.now();
  const receipt = await client.waitForUserOperationReceipt({ hash, pollingInterval, timeout: 30_000 });
  const t2 = performance.now();
  return { success: receipt.success, sender: receipt.sender, sendMs: t1 - t0, receiptMs: t2 - t1, hash };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('a sponsored UserOperation on the local stack', () => {
  let client: SmartAccountClient;
  let address: Address;

  beforeAll(async () => {
    client = await newSponsoredAccountClient();
    address = client.account.address;
  });

  it('deploys a fresh account that holds no ETH, paid for by the paymaster', async () => {
    expect(await publicClient.getCode({ address })).toBeUndefined();
    expect(await publicClient.getBalance({ address })).toBe(0n);

    const first = await sendNoOp(client);

    expect(first).toMatchObject({ success: true, sender: address });
    expect(await publicClient.getCode({ address })).toMatch(/^0x[0-9a-f]+$/);
    expect(await publicClient.getBalance({ address })).toBe(0n);
    console.log(`first UserOperation (deploys the account): prepare+send ${first.sendMs.toFixed(0)} ms, send→receipt ${first.receiptMs.toFixed(0)} ms`);
  });

  it('sends a second UserOperation from the same, now deployed, account', async () => {
    const second = await sendNoOp(client);

    expect(second).toMatchObject({ success: true, sender: address });
    expect(await publicClient.getBalance({ address })).toBe(0n);
  });

  it('confirms sequential UserOperations quickly (automine, tuned alto intervals)', async () => {
    const runs: { sendMs: number; receiptMs: number }[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await sendNoOp(client);
      expect(result.success).toBe(true);
      runs.push(result);
    }
    const send = median(runs.map((r) => r.sendMs));
    const receipt = median(runs.map((r) => r.receiptMs));
    const total = median(runs.map((r) => r.sendMs + r.receiptMs));
    console.log(
      `10 sequential UserOperations, medians: prepare+send ${send.toFixed(0)} ms, send→receipt ${receipt.toFixed(0)} ms, total ${total.toFixed(0)} ms`,
    );
    // Generous: about 0.2 s is normal here; seconds mean a polling or bundling interval went back to its default.
    expect(receipt).toBeLessThan(1500);
  });
});
