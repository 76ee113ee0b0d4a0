// chronos.user(id).wallets: the external wallets a user links with Sign-In with Ethereum (README,
// Connected wallets). Chronos issues the message; the wallet signs it where the user is (a browser
// wallet, a key your backend holds in tests); `link` does the three steps when the signer is at hand.
import type { Hex } from 'viem';
import { unwrap, type ApiClient } from './api-client.js';
import type { WalletBalances, WalletConnectNonce, WalletConnectRequest, WalletDisconnected, WalletLink } from './types.js';

/** Signs the issued message as `personal_sign` does: a viem account, or a callback (e.g. a browser wallet's). */
export type WalletMessageSigner = { signMessage(args: { message: string }): Promise<Hex> } | ((message: string) => Promise<Hex>);

export class UserWallets {
  constructor(
    readonly userId: string,
    private readonly api: ApiClient,
  ) {}

  private get header() {
    return { 'X-User-Id': this.userId };
  }

  /** The EIP-4361 message the wallet at `address` must sign, single-use until `expiresAt`. */
  async nonce(address: string): Promise<WalletConnectNonce> {
    return unwrap(await this.api.GET('/api/v1/wallets/connect/nonce', { params: { header: this.header, query: { address } } })).data;
  }

  /** Links the wallet with its signature of the issued message (the existing link if this user has it already). */
  async connect(body: WalletConnectRequest): Promise<WalletLink> {
    return unwrap(await this.api.POST('/api/v1/wallets/connect', { params: { header: this.header }, body })).data;
  }

  /** nonce → sign → connect, for a signer at hand. */
  async link(address: string, signer: WalletMessageSigner): Promise<WalletLink> {
    const { message } = await this.nonce(address);
    const signature = typeof signer === 'function' ? await signer(message) : await signer.signMessage({ message });
    return this.connect({ address, message, signature });
  }

  async disconnect(address: string): Promise<WalletDisconnected> {
    return unwrap(await this.api.POST('/api/v1/wallets/disconnect', { params: { header: this.header }, body: { address } })).data;
  }

  /** This user's links, oldest first. */
  async list(): Promise<WalletLink[]> {
    return unwrap(await this.api.GET('/api/v1/wallets', { params: { header: this.header } })).data.wallets;
  }

  /** The client's token balances of a linked wallet, or of the user's smart account. */
  async balance(address: string): Promise<WalletBalances> {
    return unwrap(await this.api.GET('/api/v1/wallets/balance', { params: { header: this.header, query: { address } } })).data;
  }
}
