// The end-to-end baseline: what a backend would do without Chronos. A plain permissionless client per
// user (SimpleAccount, EntryPoint v0.7) sends the same token transfer straight to the same bundler,
// sponsored by the same paymaster contract (ChronosPaymaster, signed with the same key through the
// same in-process code, as a self-hoster's own backend would), and polls the bundler for the receipt as often as Chronos polls the
// chain (50 ms).
import { encodeFunctionData, erc20Abi, http, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { entryPoint07Address } from 'viem/account-abstraction';
import { toSimpleSmartAccount } from 'permissionless/accounts';
import { createSmartAccountClient } from 'permissionless';
import { createPimlicoClient } from 'permissionless/clients/pimlico';
import { createChainPublicClient, toChain } from '../src/chain/clients.js';
import { createOwnPaymaster } from '../src/userop/sponsorship/own-paymaster.js';
import type { BenchStack } from './stack.js';

const ENTRY_POINT = { address: entryPoint07Address, version: '0.7' } as const;
const POLLING_INTERVAL_MS = 50;

export type DirectAccount = Awaited<ReturnType<typeof createDirectAccount>>;

export async function createDirectAccount(stack: BenchStack) {
  const chain = toChain({ rpcUrl: stack.rpcUrl, chainId: stack.chainId });
  const publicClient = createChainPublicClient({ rpcUrls: [stack.rpcUrl], chainId: stack.chainId });
  const account = await toSimpleSmartAccount({ client: publicClient, owner: privateKeyToAccount(generatePrivateKey()), entryPoint: ENTRY_POINT });
  const paymaster = createOwnPaymaster({ address: stack.paymaster, signerKey: stack.paymasterSignerKey, chainId: stack.chainId, validSeconds: 180 });
  // The bundler's gas price quote, as Chronos uses it.
  const gasPrice = createPimlicoClient({ transport: http(stack.bundlerUrl), entryPoint: ENTRY_POINT, pollingInterval: POLLING_INTERVAL_MS });
  const client = createSmartAccountClient({
    account,
    chain,
    bundlerTransport: http(stack.bundlerUrl),
    paymaster,
    pollingInterval: POLLING_INTERVAL_MS,
    userOperation: { estimateFeesPerGas: async () => (await gasPrice.getUserOperationGasPrice()).fast },
  });
  return { address: account.address, client };
}

export type DirectOpResult = { startedAt: number; receiptAt: number; success: boolean };

/** Prepare, sponsor, sign and send one transfer, then wait for its receipt. Times in ms since the epoch. */
export async function sendTransfer(stack: BenchStack, account: DirectAccount, { to, amountWei }: { to: Address; amountWei: bigint }): Promise<DirectOpResult> {
  const startedAt = Date.now();
  const hash = await account.client.sendUserOperation({
    calls: [{ to: stack.token, value: 0n, data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, amountWei] }) }],
  });
  const receipt = await account.client.waitForUserOperationReceipt({ hash, pollingInterval: POLLING_INTERVAL_MS, timeout: 120_000 });
  return { startedAt, receiptAt: Date.now(), success: receipt.success };
}
