// POST /api/v1/wallet/transfers against the real stack: a batch payout is ONE UserOperation that moves
// every amount (or none), with one transaction, one status and one webhook listing every recipient;
// a batch that cannot be accepted whole is refused whole, writing nothing.
import { encodeAbiParameters, erc20Abi, getAddress, keccak256, parseEther, parseEventLogs, toHex, type Address } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { expectError } from '../support/errors.js';
import { api, createMintingClient, createWallet, fund, waitForTerminal, type Actor } from '../support/operations.js';
import { startReceiver, verifyWebhook, type Receiver } from '../webhooks/support/receiver.js';

const USER_OPERATION_EVENT = [
  {
    type: 'event',
    name: 'UserOperationEvent',
    inputs: [
      { name: 'userOpHash', type: 'bytes32', indexed: true },
      { name: 'sender', type: 'address', indexed: true },
      { name: 'paymaster', type: 'address', indexed: true },
      { name: 'nonce', type: 'uint256', indexed: false },
      { name: 'success', type: 'bool', indexed: false },
      { name: 'actualGasCost', type: 'uint256', indexed: false },
      { name: 'actualGasUsed', type: 'uint256', indexed: false },
    ],
  },
] as const;

let t: TestApp;
let actor: Actor;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  t = await createTestApp({ worker: true, env: { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' } });
  actor = await createMintingClient(t, { webhookUrl: receiver.url() });
});
afterAll(async () => {
  await t.close();
  await receiver.close();
});

const newAddress = () => getAddress(privateKeyToAccount(generatePrivateKey()).address);
const balanceOf = (address: Address) =>
  t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [address] });
const payout = (userId: string, body: object, headers: Record<string, string> = {}) => api(t, actor, userId).post('/api/v1/wallet/transfers', body, headers);
/** The verified webhooks about one transaction, once at least one has arrived. */
async function webhooksOf(transactionId: string): Promise<Record<string, any>[]> {
  for (;;) {
    const events = receiver.received.map((r) => verifyWebhook(r, actor.client.webhookSecret)).filter((e) => e.data.transactionId === transactionId);
    if (events.length) return events;
    await receiver.waitFor(receiver.received.length + 1);
  }
}
const count = async () =>
  Number(
    (
      await t.ctx.db
        .selectFrom('transactions')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('POST /api/v1/wallet/transfers', () => {
  it('pays 100 recipients in one UserOperation: CONFIRMED, each balance moved exactly once, one webhook listing them all', async () => {
    const from = await createWallet(t, actor, 'treasury');
    await fund(t, actor, 'treasury', '6000');
    const transfers = Array.from({ length: 100 }, (_, i) => ({ to: newAddress(), amount: `${i + 1}.5` }));
    const res = await payout('treasury', { transfers });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ transactionId: expect.stringMatching(/^tx_/), status: 'ACCEPTED' });

    const done = await waitForTerminal(t, actor, res.body.transactionId);
    expect(done).toMatchObject({ status: 'CONFIRMED', type: 'payout' });
    const balances = await Promise.all(transfers.map(({ to }) => balanceOf(to)));
    expect(balances).toEqual(transfers.map(({ amount }) => parseEther(amount)));
    // 5050 + 100 × 0.5 paid out of 6000.
    expect(await balanceOf(from)).toBe(parseEther('900'));

    const receipt = await t.ctx.publicClient.getTransactionReceipt({ hash: done.txHash });
    const userOps = parseEventLogs({ abi: USER_OPERATION_EVENT, logs: receipt.logs }).filter((log) => getAddress(log.args.sender) === from);
    expect(userOps).toHaveLength(1);
    expect(userOps[0].args).toMatchObject({ userOpHash: done.userOpHash, success: true });
    const moved = parseEventLogs({ abi: erc20Abi, eventName: 'Transfer', logs: receipt.logs }).filter(
      (log) => getAddress(log.address) === actor.client.tokenAddress && getAddress(log.args.from) === from,
    );
    expect(moved.map((log) => [getAddress(log.args.to), log.args.value])).toEqual(transfers.map(({ to, amount }) => [to, parseEther(amount)]));

    const [event, ...more] = await webhooksOf(res.body.transactionId);
    expect(more).toEqual([]);
    expect(event).toMatchObject({ event: 'transaction.confirmed', data: { transactionId: res.body.transactionId, type: 'payout', status: 'CONFIRMED' } });
    expect(event.data.transfers).toEqual(transfers);
  });

  describe('refuses a batch that cannot be accepted whole, and writes nothing', () => {
    const to = '0x000000000000000000000000000000000000dEaD';
    let balance: bigint;
    beforeAll(async () => {
      const wallet = await createWallet(t, actor, 'refused');
      await fund(t, actor, 'refused', '10');
      balance = await balanceOf(wallet);
    });

    it.each([
      ['101 recipients, over BATCH_TRANSFER_MAX_RECIPIENTS', { transfers: Array.from({ length: 101 }, () => ({ to, amount: '0.01' })) }, /at most 100/],
      ['no recipients', { transfers: [] }, /transfers/],
      ['no transfers at all', {}, /transfers/],
      [
        'a malformed address at index 2',
        {
          transfers: [
            { to, amount: '1' },
            { to, amount: '1' },
            { to: '0x1234', amount: '1' },
          ],
        },
        /^transfers\[2\]\.to /,
      ],
      [
        'a zero amount at index 1',
        {
          transfers: [
            { to, amount: '1' },
            { to, amount: '0' },
          ],
        },
        /^transfers\[1\]\.amount /,
      ],
      ['an entry without an amount', { transfers: [{ to }] }, /amount/],
    ])('%s: 400 VALIDATION_ERROR naming what is wrong', async (_name, body, message) => {
      const before = await count();
      const res = await payout('refused', body);
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.error).toMatch(message);
      expect(await count()).toBe(before);
    });

    it('a sum over the balance, though every amount fits alone: 400 INSUFFICIENT_BALANCE', async () => {
      const before = await count();
      const transfers = [
        { to, amount: '6' },
        { to: newAddress(), amount: '4.000000000000000001' },
      ];
      expectError(await payout('refused', { transfers }), 400, 'INSUFFICIENT_BALANCE');
      expect(await count()).toBe(before);
      expect(await balanceOf(await createWallet(t, actor, 'refused'))).toBe(balance);
    });

    it('a sum over what the operations in flight leave: of two concurrent batches worth 7 of 10, at most one is accepted', async () => {
      const recipient = newAddress();
      const body = {
        transfers: [
          { to: recipient, amount: '3' },
          { to: recipient, amount: '4' },
        ],
      };
      const results = await Promise.all([payout('refused', body), payout('refused', body)]);
      expect(results.map((r) => r.status).sort()).toEqual([202, 400]);
      expect(results.find((r) => r.status === 400)!.body.code).toBe('INSUFFICIENT_BALANCE');
      const accepted = results.find((r) => r.status === 202)!;
      expect((await waitForTerminal(t, actor, accepted.body.transactionId)).status).toBe('CONFIRMED');
      expect(await balanceOf(recipient)).toBe(parseEther('7'));
    });
  });

  it('answers 400 WALLET_ERROR for a user without a wallet', async () => {
    expectError(await payout('no-wallet', { transfers: [{ to: newAddress(), amount: '1' }] }), 400, 'WALLET_ERROR');
  });
});

describe('on-chain atomicity', () => {
  const rpc = (method: string, params: unknown[] = []) => t.ctx.publicClient.request({ method: method as never, params: params as never });

  /** Until the bundler has taken the operation (SUBMITTED) and its bundle waits in anvil's mempool, simulated and sent. */
  async function untilTheBundleWaits(transactionId: string): Promise<void> {
    const entryPoint = t.config.contracts.entryPoint.toLowerCase();
    for (;;) {
      const { status } = (await api(t, actor).get(`/api/v1/transactions/${transactionId}`)).body;
      const pool = (await rpc('txpool_content')) as { pending: Record<string, Record<string, { to: string | null }>> };
      const bundled = Object.values(pool.pending).some((bySender) => Object.values(bySender).some((tx) => tx.to?.toLowerCase() === entryPoint));
      if (status === 'SUBMITTED' && bundled) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('a batch whose second transfer fails on-chain reverts whole: REVERTED, and no recipient is paid', async () => {
    const from = await createWallet(t, actor, 'atomic');
    await fund(t, actor, 'atomic', '10');
    const [first, second] = [newAddress(), newAddress()];
    // Blocks are mined by hand meanwhile, so that the bundle waits in the mempool, past every simulation.
    await rpc('evm_setAutomine', [false]);
    try {
      const res = await payout('atomic', {
        transfers: [
          { to: first, amount: '3' },
          { to: second, amount: '3' },
        ],
      });
      expect(res.status).toBe(202);
      await untilTheBundleWaits(res.body.transactionId);
      // What no accept can allow: the wallet now holds 4 (OpenZeppelin's ERC20 keeps balances in slot 0),
      // enough for the first transfer and not the second.
      const slot = keccak256(encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [from, 0n]));
      await rpc('anvil_setStorageAt', [actor.client.tokenAddress, slot, toHex(parseEther('4'), { size: 32 })]);
      await rpc('evm_mine');
      const done = await waitForTerminal(t, actor, res.body.transactionId);
      expect(done).toMatchObject({ status: 'REVERTED', type: 'payout' });
    } finally {
      await rpc('evm_setAutomine', [true]);
    }
    expect([await balanceOf(first), await balanceOf(second), await balanceOf(from)]).toEqual([0n, 0n, parseEther('4')]);
  });
});

describe('idempotency (X-Idempotency-Key)', () => {
  const transfers = [
    { to: '0x00000000000000000000000000000000000000b1', amount: '1' },
    { to: '0x00000000000000000000000000000000000000b2', amount: '2' },
  ];
  beforeAll(async () => {
    await createWallet(t, actor, 'idem');
    await fund(t, actor, 'idem', '10');
  });

  it('20 concurrent identical batches with one key create one transaction, executed once', async () => {
    const before = await count();
    const results = await Promise.all(Array.from({ length: 20 }, () => payout('idem', { transfers }, { 'X-Idempotency-Key': 'payout-1' })));
    expect(results.every((r) => r.status === 202)).toBe(true);
    expect(new Set(results.map((r) => r.body.transactionId)).size).toBe(1);
    expect(results.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(19);
    expect(await count()).toBe(before + 1);
    expect((await waitForTerminal(t, actor, results[0].body.transactionId)).status).toBe('CONFIRMED');
    expect(await balanceOf(getAddress(transfers[1].to))).toBe(parseEther('2'));

    // Once it ran, the same key still answers the same 202, and pays nothing again.
    const again = await payout('idem', { transfers }, { 'X-Idempotency-Key': 'payout-1' });
    expect(again.status).toBe(202);
    expect(again.body).toEqual(results[0].body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await balanceOf(getAddress(transfers[1].to))).toBe(parseEther('2'));
  });

  it('answers the same key with another batch with 409 IDEMPOTENCY_CONFLICT', async () => {
    const before = await count();
    expectError(await payout('idem', { transfers: [transfers[0]] }, { 'X-Idempotency-Key': 'payout-1' }), 409, 'IDEMPOTENCY_CONFLICT');
    expect(await count()).toBe(before);
  });
});
