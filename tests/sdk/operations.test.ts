// A mint, a transfer and a claim to CONFIRMED through the SDK, and the listing that reconciles them,
// on the real stack (API on a loopback port, worker, anvil, alto, Chronos's paymaster).
import { parseEther, type Hex } from 'viem';
import { ChronosError, type Chronos } from '../../sdk/src/index.js';
import { createMintingClient, type Actor } from '../support/operations.js';
import { sdkFor, serveTestApp, type ServedApp } from './support.js';

let t: ServedApp;
let actor: Actor;
let chronos: Chronos;

beforeAll(async () => {
  t = await serveTestApp({ worker: true });
  actor = await createMintingClient(t);
  chronos = sdkFor(t.url, actor.client);
});

afterAll(async () => {
  await t?.close();
});

describe('the SDK on the real stack', () => {
  it('mints, transfers and claims to CONFIRMED, and the balance follows', async () => {
    const alice = chronos.user('alice');
    const { address, isNew } = await alice.createWallet();
    expect(isNew).toBe(true);
    expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);

    const mint = await alice.mint({ receiptId: 'sdk-receipt-1', amount: parseEther('100'), sign: actor.signer });
    expect(mint.transactionId).toMatch(/^tx_/);
    expect(mint.acceptedStatus).toBe('ACCEPTED');
    const minted = await mint.wait({ timeoutMs: 60_000 });
    expect(minted).toMatchObject({ status: 'CONFIRMED', type: 'mint', transactionId: mint.transactionId });
    expect(await alice.balance()).toEqual({ balance: '100' });

    const transfer = await alice.transfer({ to: '0x000000000000000000000000000000000000dEaD', amount: '12.5' });
    expect(await transfer.wait({ timeoutMs: 60_000 })).toMatchObject({ status: 'CONFIRMED', type: 'transfer' });

    const claim = await alice.claim({ claimId: 'sdk-claim-1', amount: '10' });
    expect(await claim.wait({ timeoutMs: 60_000 })).toMatchObject({ status: 'CONFIRMED', type: 'claim' });
    expect(await alice.balance()).toEqual({ balance: '77.5' });
  });

  it('signs a mint with a callback as well as with a viem account', async () => {
    const bob = chronos.user('bob');
    const hashes: Hex[] = [];
    const sign = async (messageHash: Hex) => {
      hashes.push(messageHash);
      return actor.signer.signMessage({ message: { raw: messageHash } });
    };
    const mint = await bob.mint({ receiptId: 'sdk-receipt-2', amount: '5000000000000000000', sign });
    expect(hashes).toHaveLength(1);
    expect((await mint.wait({ timeoutMs: 60_000 })).status).toBe('CONFIRMED');
    expect(await bob.balance()).toEqual({ balance: '5' });
  });

  it('answers a refused write with one typed error carrying code, status and request id', async () => {
    const carol = chronos.user('carol');
    await carol.createWallet();
    const error = await carol.transfer({ to: '0x000000000000000000000000000000000000dEaD', amount: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChronosError);
    expect(error).toMatchObject({ code: 'INSUFFICIENT_BALANCE', status: 400 });
    expect((error as ChronosError).requestId).toMatch(/\S/);
    // A receipt mints once: the second mint of it is refused before anything is signed.
    const again = await chronos
      .user('alice')
      .mint({ receiptId: 'sdk-receipt-1', amount: 1n, sign: actor.signer })
      .catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'RECEIPT_ALREADY_MINTED', status: 409 });
  });

  it('lists the transactions page by page through the async iterator, newest first, filtered', async () => {
    const all = [];
    for await (const tx of chronos.transactions.list({ userId: 'alice', limit: 1 })) all.push(tx);
    expect(all.map((tx) => tx.type)).toEqual(['claim', 'transfer', 'mint']);
    const mints = [];
    for await (const tx of chronos.transactions.list({ type: ['mint'], status: ['CONFIRMED'] })) mints.push(tx.userId);
    expect(mints.sort()).toEqual(['alice', 'bob']);
  });
});
