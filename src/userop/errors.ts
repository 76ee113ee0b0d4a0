// What went wrong with a UserOperation, in the terms the submit job acts on: try again later
// (a part is unreachable), or it was refused (the transaction ends FAILED with this code).
//
// A refusal is classified by the bundler's numeric ERC-7769 code first: it says which rule refused
// the operation, in words no bundler rephrases. Text is read only where a code cannot tell — the two
// answers that mean "it is already there" (no code of their own; alto sends them as -32602), the
// EntryPoint's AA reason inside a -32500/-32507, and bundlers that answer with no ERC-7769 code.
import { BaseError } from 'viem';
import { isRpcUnavailable } from '../dependency-errors.js';
import { causesOf } from '../error-causes.js';
import { decodeRevertsIn } from '../chain/contracts/revert-reasons.js';

export type RefusalCode = 'PAYMASTER_REJECTED' | 'SIMULATION_REVERTED' | 'BUNDLER_REJECTED';

export type UserOpFailure =
  | { kind: 'unavailable'; part: 'bundler' | 'paymaster' | 'chain'; message: string }
  /**
   * `expiresSoon`: refused for its validity window (ERC-7769 -32503 ExpiresShortly, or the EntryPoint's
   * AA32 "paymaster expired or not due"). For our own paymaster that is not a verdict on the operation:
   * the job keeps it until the chain proves the window passed, then re-sponsors it (jobs/re-sponsor.ts).
   */
  | { kind: 'refused'; code: RefusalCode; message: string; expiresSoon?: true }
  | { kind: 'nonce-used'; message: string }
  | { kind: 'already-known'; message: string }
  | { kind: 'unexpected'; message: string };

type Walkable = { name?: string; message?: string; shortMessage?: string; details?: string; code?: unknown; url?: string };

/** The side a refusal names, or `entity` when the EntryPoint's reason decides (account or paymaster). */
type CodeMeaning = RefusalCode | 'entity';

/**
 * ERC-7769 codes (named as viem's classes for them). -32504 (an entity throttled or banned) is not
 * here: it means "not now", an unavailability (dependency-errors.ts); nor is -32508, the paymaster's
 * deposit too low (isDepositTooLow).
 */
const ERC7769_REFUSALS: Readonly<Record<number, CodeMeaning>> = {
  /** UserOperationRejectedByEntryPointError: simulateValidation refused it; AA3x means the paymaster's part. */
  [-32500]: 'entity',
  /** UserOperationRejectedByPaymasterError: validatePaymasterUserOp refused it. */
  [-32501]: 'PAYMASTER_REJECTED',
  /** UserOperationRejectedByOpCodeError: the bundler's own opcode and storage rules. */
  [-32502]: 'BUNDLER_REJECTED',
  /** UserOperationOutOfTimeRangeError: valid too late or expiring too soon for this bundler. */
  [-32503]: 'BUNDLER_REJECTED',
  /** PaymasterStakeTooLowError: the staked entity, here the paymaster, has too little stake. */
  [-32505]: 'PAYMASTER_REJECTED',
  /** UnsupportedSignatureAggregatorError. */
  [-32506]: 'BUNDLER_REJECTED',
  /** SignatureCheckFailedError: the account's signature, or the paymaster's when its data is one. */
  [-32507]: 'entity',
  /** ExecutionRevertedError: the calls reverted when estimated. */
  [-32521]: 'SIMULATION_REVERTED',
  /** InvalidFieldsError: the bundler refused the request's fields. */
  [-32602]: 'BUNDLER_REJECTED',
};

/**
 * A link's JSON-RPC code: its own (viem's RpcError, a plain `{ code, message }`), or, for viem's
 * bundler error classes, which keep it on the class, the class's.
 */
function rpcCodeOf(link: unknown): number | undefined {
  const own = (link as Walkable).code;
  if (typeof own === 'number') return own;
  const ofClass = link instanceof BaseError ? (link.constructor as { code?: unknown }).code : undefined;
  return typeof ofClass === 'number' ? ofClass : undefined;
}

/** Where requests go: the first bundler, every entry of a BUNDLER_URL list, the hosted paymaster. */
export type FailureUrls = { bundlerUrl: string; bundlerUrls?: readonly string[]; paymasterUrl?: string };

/** Which part a failed request went to, from the URL viem records on its request errors. */
function partOf(links: Walkable[], urls: FailureUrls): 'bundler' | 'paymaster' | 'chain' {
  const url = links.find((e) => typeof e.url === 'string')?.url;
  if (url === urls.paymasterUrl) return 'paymaster';
  if (url === urls.bundlerUrl || (url !== undefined && urls.bundlerUrls?.includes(url))) return 'bundler';
  return 'chain';
}

export function classifyUserOpError(error: unknown, urls: FailureUrls): UserOpFailure {
  const failure = classify(error, urls);
  if (failure.kind !== 'refused' || !refusedForItsWindow(causesOf(error) as Walkable[])) return failure;
  return { ...failure, expiresSoon: true };
}

/** -32503 is the window by definition; AA32 is the EntryPoint saying the same inside a -32500 (or with no code). */
function refusedForItsWindow(links: Walkable[]): boolean {
  return links.some((link) => rpcCodeOf(link) === -32503) || /AA32|expires too soon/i.test(remoteWords(links));
}

function classify(error: unknown, urls: FailureUrls): UserOpFailure {
  const links = causesOf(error) as Walkable[];
  const part = partOf(links, urls);
  // viem's full `message` embeds the request body (which mentions the paymaster): read only the parts
  // that carry what the remote side said.
  const text = links.map((e) => (e.shortMessage !== undefined ? `${e.shortMessage} ${e.details ?? ''}` : (e.message ?? ''))).join(' ');
  const message = decodeRevertsIn(summarize(error));
  if (/already known|already in mempool|duplicate user ?operation/i.test(text)) return { kind: 'already-known', message };
  // A bundler's per-sender limit (alto words it as an AA25): room frees as the sender's others are included.
  if (/maximum number of (parallel|queued) user ?op|too many (parallel |queued )?user ?op/i.test(text)) return { kind: 'unavailable', part, message };
  if (/AA25|invalid account nonce|nonce.*(too low|already used)/i.test(text)) return { kind: 'nonce-used', message };
  if (isRpcUnavailable(error)) return { kind: 'unavailable', part, message };
  if (isDepositTooLow(links, text)) return { kind: 'unavailable', part: 'paymaster', message };
  const codes = links.map(rpcCodeOf).filter((code) => code !== undefined);
  // Not an answer from a remote part at all: a bug, which retrying would only hide.
  if (codes.length === 0) return { kind: 'unexpected', message };
  // Whatever the paymaster service answers, it is the paymaster refusing.
  if (part === 'paymaster') return refused('PAYMASTER_REJECTED', message);
  const meaning = codes.map((code) => ERC7769_REFUSALS[code]).find((m) => m !== undefined);
  if (meaning === 'entity') return refused(/AA3\d|paymaster/i.test(remoteWords(links)) ? 'PAYMASTER_REJECTED' : 'SIMULATION_REVERTED', message);
  if (meaning) return refused(meaning, message);
  // No ERC-7769 code: only the words are left.
  if (/AA3\d|paymaster/i.test(text)) return refused('PAYMASTER_REJECTED', message);
  if (/revert|AA2[0-4]|AA1\d|execution/i.test(text)) return refused('SIMULATION_REVERTED', message);
  return refused('BUNDLER_REJECTED', message);
}

/**
 * The paymaster's deposit cannot pay for the operation (ERC-7769 -32508, the EntryPoint's AA31): not a
 * verdict on the operation but "not until someone tops it up", so it is retried, never FAILED.
 */
function isDepositTooLow(links: Walkable[], text: string): boolean {
  return links.some((link) => rpcCodeOf(link) === -32508) || /AA31|paymaster deposit too low/i.test(text);
}

/**
 * Only what the remote side said: the `{ code, message }` it answered with, not viem's descriptions of
 * a code (which name both sides for -32500 and -32507).
 */
function remoteWords(links: Walkable[]): string {
  return links
    .filter((e) => !(e instanceof BaseError))
    .map((e) => e.message ?? '')
    .join(' ');
}

const refused = (code: RefusalCode, message: string): UserOpFailure => ({ kind: 'refused', code, message });

/** A short, safe message: viem's shortMessage and details, never a stack or request body. */
export function summarize(error: unknown): string {
  if (error instanceof BaseError) {
    const inner = error.walk((e) => !(e instanceof BaseError) || !(e as BaseError).cause) as BaseError | undefined;
    const detail = inner && inner !== error ? (inner.shortMessage ?? inner.message) : error.details;
    return [error.shortMessage, detail].filter(Boolean).join(': ').slice(0, 500);
  }
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
