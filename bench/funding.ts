// Gives addresses tokens without going through Chronos (no worker needed, nothing in its database):
// the deployer's EOA mints the total to itself with an authorization signed by the bench's signer
// (only a mint's recipient may submit it), then transfers each address its share, back to back with
// explicit nonces, and waits for all of them at once.
import { createPublicClient, createWalletClient, encodeFunctionData, erc20Abi, http, type Address, type Hash } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { chronosTokenAbi } from '../src/chain/contracts/abi.js';
import { mintMessageHash } from '../src/operations/mint/message-hash.js';
import { toChain } from '../src/chain/clients.js';
import { DEPLOYER_PRIVATE_KEY, type BenchStack } from './stack.js';

export async function fundOnChain(stack: BenchStack, { addresses, amountWei }: { addresses: readonly Address[]; amountWei: bigint }): Promise<void> {
  const chain = toChain({ rpcUrl: stack.rpcUrl, chainId: stack.chainId });
  const publicClient = createPublicClient({ chain, transport: http(stack.rpcUrl) });
  const account = privateKeyToAccount(DEPLOYER_PRIVATE_KEY);
  const wallet = createWalletClient({ account, chain, transport: http(stack.rpcUrl) });
  const expiryBlock = (await publicClient.getBlockNumber({ cacheTime: 0 })) + 100_000n;
  let nonce = await publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' });
  const self = account.address;
  const total = amountWei * BigInt(addresses.length);
  const mintNonce = await publicClient.readContract({ address: stack.token, abi: chronosTokenAbi, functionName: 'nonces', args: [self] });
  const receiptId = `bench-fund-${self}-${mintNonce}-${Math.random().toString(36).slice(2)}`;
  const hash = mintMessageHash({ token: stack.token, chainId: stack.chainId, to: self, receiptId, amount: total, expiryBlock, nonce: mintNonce });
  const signature = await stack.mintSigner.signMessage({ message: { raw: hash } });
  const hashes: Hash[] = [
    await wallet.sendTransaction({
      to: stack.token,
      nonce: nonce++,
      gas: 300_000n,
      data: encodeFunctionData({ abi: chronosTokenAbi, functionName: 'mintWithSignature', args: [self, receiptId, total, expiryBlock, mintNonce, signature] }),
    }),
  ];
  for (const to of addresses) {
    hashes.push(
      await wallet.sendTransaction({
        to: stack.token,
        nonce: nonce++,
        gas: 100_000n,
        data: encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, amountWei] }),
      }),
    );
  }
  const receipts = await Promise.all(hashes.map((h) => publicClient.waitForTransactionReceipt({ hash: h, pollingInterval: 50 })));
  const reverted = receipts.filter((r) => r.status !== 'success');
  if (reverted.length) throw new Error(`${reverted.length} funding transactions reverted, e.g. ${reverted[0].transactionHash}`);
}
