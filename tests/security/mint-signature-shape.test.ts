// A mint signature ChronosToken would refuse (OpenZeppelin's ECDSA: high s, v other than 27/28) is
// refused at /mint/execute with 400 INVALID_SIGNATURE and writes nothing, instead of being accepted
// and then FAILED. The same authorization in its canonical form is accepted.
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, signMint, type Actor } from '../support/operations.js';
import { countWrites, difference, NO_WRITES } from './support/write-counts.js';
import type { Hex } from 'viem';

let t: TestApp;
let actor: Actor;

beforeAll(async () => {
  t = await createTestApp();
  actor = await createMintingClient(t);
});
afterAll(() => t.close());

const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** The same signature with s replaced by n - s and the recovery bit flipped: recovers to the same signer. */
function highSTwin(signature: Hex): Hex {
  const s = SECP256K1_ORDER - BigInt(`0x${signature.slice(66, 130)}`);
  const v = parseInt(signature.slice(130, 132), 16) === 27 ? '1c' : '1b';
  return `0x${signature.slice(2, 66)}${s.toString(16).padStart(64, '0')}${v}`;
}

/** The same signature with v as a 0/1 recovery id. */
const zeroOneV = (signature: Hex): Hex => `0x${signature.slice(2, 130)}${(parseInt(signature.slice(130, 132), 16) - 27).toString(16).padStart(2, '0')}`;

async function prepared(userId: string, receiptId: string) {
  const to = await createWallet(t, actor, userId);
  const prep = await api(t, actor, userId).post('/api/v1/mint/prepare', { receiptId, userAddress: to });
  const expiryBlock = BigInt(prep.body.expiryBlock);
  const nonce = BigInt(prep.body.nonce);
  const signature = await signMint(t, actor, { to, receiptId, amount: 3n, expiryBlock, nonce });
  const execute = (sig: Hex) =>
    api(t, actor, userId).post('/api/v1/mint/execute', {
      receiptId,
      amount: '3',
      signature: sig,
      expiryBlock: expiryBlock.toString(),
      nonce: nonce.toString(),
    });
  return { signature, execute };
}

describe('POST /api/v1/mint/execute with a signature the contract would refuse', () => {
  it.each([
    ['its high-s (malleable) twin', 'high-s', highSTwin, /low-s|upper half/],
    ['v as 0/1 instead of 27/28', 'v-0-1', zeroOneV, /v must be 27 or 28/],
  ])('refuses %s with 400 INVALID_SIGNATURE and writes nothing', async (_label, id, reshape, why) => {
    const { signature, execute } = await prepared(`user-${id}`, `receipt-${id}`);
    const before = await countWrites(t.ctx.db);
    const res = await execute(reshape(signature));
    expectError(res, 400, 'INVALID_SIGNATURE');
    expect(res.body.error).toMatch(why);
    expect(difference(await countWrites(t.ctx.db), before)).toEqual(NO_WRITES);

    // The canonical form of the same authorization is accepted.
    expect((await execute(signature)).status).toBe(202);
  });
});
