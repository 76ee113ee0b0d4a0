// Gives a user tokens without going through Chronos (and so without a worker): the deployer's EOA
// submits a mint authorization signed by the client's signer straight to ChronosToken.
import { createWalletClient, http, type Address } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import type { TestApp } from './test-app.js';
import { signMint, type Actor } from './operations.js';
import { chronosTokenAbi } from '../../src/chain/contracts/abi.js';
import { toChain } from '../../src/chain/clients.js';
import { EMBEDDED_DEPLOYER_PRIVATE_KEY } from '../../src/runtime/embedded-keys.js';

export async function fundDirectly(t: TestApp, actor: Actor, { to, amountWei }: { to: Address; amountWei: bigint }): Promise<void> {
  const token = t.config.contracts.token;
  const publicClient = t.ctx.publicClient;
  const nonce = await publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'nonces', args: [to] });
  const expiryBlock = (await publicClient.getBlockNumber({ cacheTime: 0 })) + 100n;
  const receiptId = `direct-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  const signature = await signMint(t, actor, { to, receiptId, amount: amountWei, expiryBlock, nonce });
  const wallet = createWalletClient({ account: privateKeyToAccount(EMBEDDED_DEPLOYER_PRIVATE_KEY), chain: toChain(t.config.chain), transport: http(t.config.chain.rpcUrl) });
  const hash = await wallet.writeContract({
    address: token, abi: chronosTokenAbi, functionName: 'mintWithSignature', args: [to, receiptId, amountWei, expiryBlock, nonce, signature],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  if (receipt.status !== 'success') throw new Error(`direct mint to ${to} reverted`);
}
