// What went wrong with a UserOperation, in the terms the submit job acts on: try again later
// (a part is unreachable), or it was refused (the transaction ends FAILED with this code).
import { BaseError } from 'viem';
import { isRpcUnavailable } from '../dependency-errors.js';
import { decodeRevertsIn } from '../chain/contracts/revert-reasons.js';

export type UserOpFailure =
  | { kind: 'unavailable'; part: 'bundler' | 'paymaster' | 'chain'; message: string }
  | { kind: 'refused'; code: 'PAYMASTER_REJECTED' | 'SIMULATION_REVERTED' | 'BUNDLER_REJECTED'; message: string }
  | { kind: 'nonce-used'; message: string }
  | { kind: 'already-known'; message: string }
  | { kind: 'unexpected'; message: string };

type Walkable = { name?: string; message?: string; shortMessage?: string; details?: string; code?: number; status?: number; url?: string; cause?: unknown };

function chain(error: unknown): Walkable[] {
  const out: Walkable[] = [];
  for (let e = error as Walkable | undefined; e && out.length < 20; e = e.cause as Walkable | undefined) out.push(e);
  return out;
}

/** Which part a failed request went to, from the URL viem records on its request errors. */
function partOf(links: Walkable[], urls: { bundlerUrl: string; paymasterUrl: string }): 'bundler' | 'paymaster' | 'chain' {
  const url = links.find((e) => typeof e.url === 'string')?.url;
  if (url === urls.paymasterUrl) return 'paymaster';
  if (url === urls.bundlerUrl) return 'bundler';
  return 'chain';
}

export function classifyUserOpError(error: unknown, urls: { bundlerUrl: string; paymasterUrl: string }): UserOpFailure {
  const links = chain(error);
  const part = partOf(links, urls);
  // viem's full `message` embeds the request body (which mentions the paymaster): read only the parts
  // that carry what the remote side said.
  const text = links.map((e) => (e.shortMessage !== undefined ? `${e.shortMessage} ${e.details ?? ''}` : (e.message ?? ''))).join(' ');
  const message = decodeRevertsIn(summarize(error));
  if (/already known|already in mempool|duplicate user ?operation/i.test(text)) return { kind: 'already-known', message };
  if (/AA25|invalid account nonce|nonce.*(too low|already used)/i.test(text)) return { kind: 'nonce-used', message };
  if (isRpcUnavailable(error)) return { kind: 'unavailable', part, message };
  // Not an answer from a remote part at all: a bug, which retrying would only hide.
  if (!links.some((e) => typeof e.code === 'number')) return { kind: 'unexpected', message };
  if (part === 'paymaster' || /AA3\d|paymaster/i.test(text)) return { kind: 'refused', code: 'PAYMASTER_REJECTED', message };
  if (/revert|AA2[0-4]|AA1\d|execution/i.test(text)) return { kind: 'refused', code: 'SIMULATION_REVERTED', message };
  return { kind: 'refused', code: 'BUNDLER_REJECTED', message };
}

/** A short, safe message: viem's shortMessage and details, never a stack or request body. */
export function summarize(error: unknown): string {
  if (error instanceof BaseError) {
    const inner = error.walk((e) => !(e instanceof BaseError) || !(e as BaseError).cause) as BaseError | undefined;
    const detail = inner && inner !== error ? (inner.shortMessage ?? inner.message) : error.details;
    return [error.shortMessage, detail].filter(Boolean).join(': ').slice(0, 500);
  }
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
