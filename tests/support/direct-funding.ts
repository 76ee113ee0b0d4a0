// Gives a user tokens without going through Chronos (and so without a worker): the deployer's EOA
// mints to itself with an authorization signed by the client's signer (only a mint's recipient may
// submit it), then transfers the tokens to the user.
import { erc20Abi, type Address } from 'viem';
import type { TestApp } from './test-app.js';
import { signMint, type Actor } from './operations.js';
import { chronosTokenAbi } from '../../src/chain/contracts/abi.js';
import { withTestDeployer } from './client-tokens.js';

export async function fundDirectly(t: TestApp, actor: Actor, { to, amountWei }: { to: Address; amountWei: bigint }): Promise<void> {
  const token = actor.client.tokenAddress;
  const publicClient = t.ctx.publicClient;
  await withTestDeployer(async (wallet) => {
    const self = wallet.account.address;
    const nonce = await publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'nonces', args: [self] });
    const expiryBlock = (await publicClient.getBlockNumber({ cacheTime: 0 })) + 100n;
    const receiptId = `direct-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const signature = await signMint(t, actor, { to: self, receiptId, amount: amountWei, expiryBlock, nonce });
    for (const hash of [
      await wallet.writeContract({
        address: token,
        abi: chronosTokenAbi,
        functionName: 'mintWithSignature',
        args: [self, receiptId, amountWei, expiryBlock, nonce, signature],
      }),
      await wallet.writeContract({ address: token, abi: erc20Abi, functionName: 'transfer', args: [to, amountWei] }),
    ]) {
      const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
      if (receipt.status !== 'success') throw new Error(`funding ${to} directly: transaction ${hash} reverted`);
    }
  });
}
