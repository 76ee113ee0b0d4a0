// Recognising "a part we depend on is unreachable right now" — as opposed to a refusal or a bug —
// wherever it sits in an error's cause chain. The API answers these with 503; jobs retry them.
import { causesOf } from './error-causes.js';

type Link = { name?: string; code?: string | number; message?: string };

const causes = (error: unknown) => causesOf(error) as Link[];

const PG_UNAVAILABLE = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004', '53300'];

/** Postgres is unreachable or restarting. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    if (typeof e.code === 'string' && PG_UNAVAILABLE.includes(e.code)) return true;
    if (/Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(e.message ?? '')) return true;
  }
  return false;
}

/**
 * A node behind the block it was asked about: a read pinned to a block it has not imported yet (one
 * entry of a list lagging another, or a provider's load balancer switching nodes) gets "header not
 * found" (geth, erigon), "unknown block" or "block not found" (-32000, -32001). Asked again a moment
 * later, or of another entry, the same read succeeds: "not now", not a refusal.
 */
export function isBlockNotYetKnown(error: unknown): boolean {
  return causes(error).some(
    (e) =>
      (e.code === -32000 || e.code === -32001)
      && /header not found|unknown block|block not found/i.test((e as { details?: string }).details ?? e.message ?? ''),
  );
}

/** A JSON-RPC endpoint (chain, bundler, paymaster) did not answer, or answered "not now". */
export function isRpcUnavailable(error: unknown): boolean {
  if (isBlockNotYetKnown(error)) return true;
  for (const e of causes(error)) {
    if (e.name === 'HttpRequestError' || e.name === 'TimeoutError' || e.name === 'SocketClosedError' || e.name === 'WebSocketRequestError') return true;
    // Internal error, limit exceeded / throttled: the node or bundler says "not now".
    if (e.code === -32603 || e.code === -32005 || e.code === -32504) return true;
  }
  return false;
}
