// A bundler stand-in for the race between a late original UserOperation and its no-op replacement: a
// proxy in front of the real alto that accepts every send of the original (answering as if it took
// it) but holds it back, and lets it through only once Chronos has sent the replacement. Which of the
// two then reaches the chain first is the test's choice:
//   'original-wins'    — the held original is forwarded first and included; only then is the
//                        replacement forwarded (alto refuses it: its nonce is used).
//   'replacement-wins' — the replacement is forwarded and included first; then the held original
//                        (alto refuses it).
import { startRpcProxy, type RpcProxy, type RpcRequest } from './rpc-proxy.js';

export type RaceWinner = 'original-wins' | 'replacement-wins';

export type HoldingBundler = {
  url: string;
  proxy: RpcProxy;
  /** The sends of the original taken and held (re-sends after a stall included). */
  held: RpcRequest[];
  /** The hash of whichever operation the stand-in saw included, once the race is run. */
  included(): `0x${string}` | undefined;
  /** Resolves when the race has run: the stand-in has seen the winner's receipt (the tracker may see it first). */
  raced(): Promise<void>;
  close(): Promise<void>;
};

/** A UserOperation whose callData is empty: Chronos's no-op replacement. */
const isReplacement = (call: RpcRequest) => (call.params as [{ callData: string }])[0].callData === '0x';

export async function startHoldingBundler(target: string, winner: RaceWinner): Promise<HoldingBundler> {
  const proxy = await startRpcProxy(target);
  const held: RpcRequest[] = [];
  let included: `0x${string}` | undefined;
  let race: Promise<void> | undefined;

  const forward = async (call: RpcRequest) => {
    const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(call) });
    return res.json() as Promise<{ result?: `0x${string}`; error?: unknown }>;
  };
  const untilIncluded = async (hash: `0x${string}`) => {
    for (let i = 0; i < 300; i++) {
      const receipt = await forward({ jsonrpc: '2.0', id: 1, method: 'eth_getUserOperationReceipt', params: [hash] });
      if (receipt.result) {
        included = hash;
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${hash} was not included`);
  };
  /** Forwards the held sends in order; the first one alto takes is the one included. */
  const releaseHeld = async () => {
    let taken: `0x${string}` | undefined;
    for (const call of held.splice(0)) {
      const reply = await forward(call);
      taken ??= reply.result;
    }
    return taken;
  };

  proxy.intercept = async (call) => {
    if (call.method !== 'eth_sendUserOperation') return undefined;
    if (!isReplacement(call)) {
      if (race) return undefined; // released: later re-sends go straight through
      held.push(call);
      // As a bundler that took it would answer; Chronos identifies the operation by its own stored hash.
      return { result: `0x${'00'.repeat(32)}` };
    }
    if (winner === 'original-wins') {
      race ??= (async () => {
        const taken = await releaseHeld();
        if (!taken) throw new Error('the held original was refused by the bundler');
        await untilIncluded(taken);
      })();
      await race;
      return undefined; // the replacement now goes to alto, which refuses it
    }
    let reply: { result?: `0x${string}`; error?: unknown } | undefined;
    race ??= (async () => {
      reply = await forward(call);
      if (!reply.result) throw new Error(`the replacement was refused: ${JSON.stringify(reply.error)}`);
      await untilIncluded(reply.result);
      await releaseHeld();
    })();
    await race;
    return reply ? (reply as { result: unknown }) : undefined;
  };
  return {
    url: proxy.url,
    proxy,
    held,
    included: () => included,
    raced: () => race ?? Promise.reject(new Error('no replacement was sent: the race never ran')),
    close: () => proxy.close(),
  };
}
