import type { TestApp } from '../support/test-app.js';
import { api, waitForTerminal, type Actor } from '../support/operations.js';

/** Accepts `count` transfers of 1 token each from `userId` to `to`, returning the transaction ids. */
export async function acceptTransfers(t: TestApp, actor: Actor, { userId, to, count }: { userId: string; to: string; count: number }): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await api(t, actor, userId).post('/api/v1/wallet/transfer', { to, amount: '1' });
    if (res.status !== 202) throw new Error(`transfer ${i}: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(res.body.transactionId);
  }
  return ids;
}

export async function terminalStatuses(t: TestApp, actor: Actor, ids: string[], timeoutMs = 90_000): Promise<Record<string, any>[]> {
  return Promise.all(ids.map((id) => waitForTerminal(t, actor, id, timeoutMs)));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `condition` holds, polling; fails naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, { timeoutMs, what }: { timeoutMs: number; what: () => string }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms for ${what()}`);
    await sleep(50);
  }
}
