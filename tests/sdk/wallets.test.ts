// The SDK's connected-wallet calls on the real stack: link (nonce, sign, connect), list, balance,
// disconnect, and a typed refusal.
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { ChronosError, type Chronos } from '../../sdk/src/index.js';
import { createMintingClient, type Actor } from '../support/operations.js';
import { sdkFor, serveTestApp, type ServedApp } from './support.js';

let t: ServedApp;
let actor: Actor;
let chronos: Chronos;

beforeAll(async () => {
  t = await serveTestApp();
  actor = await createMintingClient(t);
  chronos = sdkFor(t.url, actor.client);
});
afterAll(async () => {
  await t?.close();
});

describe('the SDK connected wallets', () => {
  it('links, lists, reads, unlinks, and throws a ChronosError with the code on a replay', async () => {
    const user = chronos.user('sdk-linker');
    const wallet = privateKeyToAccount(generatePrivateKey());
    const link = await user.wallets.link(wallet.address, wallet);
    expect(link).toEqual({ address: wallet.address, userId: 'sdk-linker', linkedAt: expect.any(String) });
    expect(await user.wallets.list()).toEqual([link]);
    expect((await user.wallets.balance(wallet.address)).balances?.[0]).toMatchObject({ balance: '0', available: '0' });

    const { message } = await user.wallets.nonce(wallet.address);
    const signature = await wallet.signMessage({ message });
    expect(await user.wallets.connect({ address: wallet.address, message, signature })).toEqual(link);
    const replay = await user.wallets.connect({ address: wallet.address, message, signature }).catch((e: unknown) => e);
    expect(replay).toBeInstanceOf(ChronosError);
    expect(replay).toMatchObject({ code: 'SIWE_NONCE_USED', status: 400 });

    expect(await user.wallets.disconnect(wallet.address)).toEqual({ success: true, address: wallet.address });
    expect(await user.wallets.list()).toEqual([]);
  });
});
