// What the payments tests share: the app with a webhook receiver, reads of balances and escrows on-chain,
// and waiting for verified webhook events.
import { erc20Abi, type Address, type Hex } from 'viem';
import { chronosEscrowAbi } from '../../src/chain/contracts/abi.js';
import type { TestApp } from '../support/test-app.js';
import type { Actor } from '../support/operations.js';
import { verifyWebhook, type Receiver } from '../webhooks/support/receiver.js';

export const ESCROW_STATE = { None: 0, Funded: 1, Released: 2, Refunded: 3 } as const;

export const balanceOf = (t: TestApp, actor: Actor, address: Address) =>
  t.ctx.publicClient.readContract({ address: actor.client.tokenAddress, abi: erc20Abi, functionName: 'balanceOf', args: [address] });

export async function escrowOnChain(t: TestApp, actor: Actor, escrowId: Hex) {
  const [payer, deadline, state, payee, amount] = await t.ctx.publicClient.readContract({
    address: t.config.contracts.escrow!,
    abi: chronosEscrowAbi,
    functionName: 'escrows',
    args: [actor.client.tokenAddress, escrowId],
  });
  return { payer, deadline, state, payee, amount };
}

/** The verified event of type `event` about `escrowId`, once it has arrived (each webhook is checked with the client's secret). */
export async function paymentEvent(receiver: Receiver, actor: Actor, event: string, escrowId: string): Promise<Record<string, any>> {
  for (;;) {
    const found = receiver.received.map((r) => verifyWebhook(r, actor.client.webhookSecret)).find((e) => e.event === event && e.data.escrowId === escrowId);
    if (found) return found;
    await receiver.waitFor(receiver.received.length + 1);
  }
}
