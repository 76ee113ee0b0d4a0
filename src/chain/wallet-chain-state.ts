// What the chain says about a wallet at a known block — token balance and ordered nonce — cached per
// (token, wallet), so accepting an operation does not cost an RPC call. Each client has its own token,
// and may move others it added (README, Payments: the client's tokens), which have no ordered nonce.
//
// A cached read is never wrong, only old, and the accept batch makes "old" safe: it subtracts every
// operation of the user in flight *or settled after the block the read was made at*
// (src/db/transactions.ts loadAcceptState), and only Chronos can debit a wallet (only it holds the
// owner key). What an old read can miss is a credit (a transfer in, a mint by someone else), so a
// refusal decided on a read older than the request is re-decided on a fresh read before it is given.
import { erc20Abi, type Address } from 'viem';
import type { ChainPublicClient } from './clients.js';
import { chronosTokenAbi } from './contracts/abi.js';

export type WalletChainState = {
  block: bigint;
  balanceWei: bigint;
  /** ChronosToken.nonces(wallet): the nonce the next operation signed for it (a mint) must carry. */
  orderedNonce: bigint;
  /** When the read was made (Date.now()). */
  readAt: number;
};

/**
 * A wallet's holdings of one token. `ordered`: the token is a ChronosToken whose nonces(wallet) orders
 * what is signed for it (a client's own token); another ERC-20 has none, and reads 0.
 */
export type TokenWallet = { token: Address; wallet: Address; ordered?: boolean };

export type WalletChainStates = {
  /** The cached state, or a read at the current block when there is none. */
  get(at: TokenWallet): Promise<WalletChainState>;
  /** A state read no earlier than `since`: the cached one if it is that recent, a new read otherwise. */
  fresh(at: TokenWallet, since: number): Promise<WalletChainState>;
};

const MAX_WALLETS = 100_000;

export const tokenWalletKey = ({ token, wallet, ordered = true }: TokenWallet) => `${token}/${wallet}/${ordered ? 'ordered' : 'plain'}`;

export function createWalletChainStates(publicClient: ChainPublicClient): WalletChainStates {
  const cache = new Map<string, WalletChainState>();
  const reading = new Map<string, Promise<WalletChainState>>();

  const read = async ({ token, wallet, ordered = true }: TokenWallet): Promise<WalletChainState> => {
    const readAt = Date.now();
    // The head from its header (eth_getBlockByNumber): the block every read below is pinned to.
    const { number: block } = await publicClient.getBlock({ blockTag: 'latest' });
    const [balanceWei, orderedNonce] = await Promise.all([
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: 'balanceOf', args: [wallet], blockNumber: block }),
      ordered ? publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'nonces', args: [wallet], blockNumber: block }) : 0n,
    ]);
    return { block, balanceWei, orderedNonce, readAt };
  };

  // Concurrent callers share one read; the newest read wins the cache.
  const readShared = (at: TokenWallet, since: number): Promise<WalletChainState> => {
    const key = tokenWalletKey(at);
    const pending = reading.get(key);
    if (pending) return pending.then((state) => (state.readAt >= since ? state : readShared(at, since)));
    const started = read(at)
      .then((state) => {
        const cached = cache.get(key);
        if (!cached || cached.readAt <= state.readAt) {
          cache.delete(key);
          cache.set(key, state);
          if (cache.size > MAX_WALLETS) cache.delete(cache.keys().next().value as string);
        }
        return state;
      })
      .finally(() => reading.delete(key));
    reading.set(key, started);
    return started;
  };

  return {
    get: (at) => {
      const cached = cache.get(tokenWalletKey(at));
      return cached ? Promise.resolve(cached) : readShared(at, 0);
    },
    fresh: (at, since) => {
      const cached = cache.get(tokenWalletKey(at));
      return cached && cached.readAt >= since ? Promise.resolve(cached) : readShared(at, since);
    },
  };
}
