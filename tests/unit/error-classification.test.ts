// How a failed bundler or paymaster step is classified (src/userop/errors.ts): by the ERC-7769 code
// first, the way viem's own classes read it, and by the words only when no code says what happened.
import { HttpRequestError, InternalRpcError, InvalidParamsRpcError, RpcRequestError, TimeoutError } from 'viem';
import { getBundlerError, UserOperationExecutionError } from 'viem/account-abstraction';
import { classifyUserOpError, type UserOpFailure } from '../../src/userop/errors.js';

const urls = { bundlerUrl: 'http://bundler.test/rpc', paymasterUrl: 'http://paymaster.test/rpc' };
const body = { method: 'eth_sendUserOperation' };

/** What viem throws for a JSON-RPC error answer, as `bundler.request` gives it to the send step. */
function answered(code: number, message: string, url = urls.bundlerUrl): Error {
  const request = new RpcRequestError({ body, error: { code, message }, url });
  // viem wraps the codes it knows in their EIP-1474 class; ERC-7769 codes stay RpcRequestErrors.
  if (code === -32602) return new InvalidParamsRpcError(request);
  if (code === -32603) return new InternalRpcError(request);
  return request;
}

/** What the prepare step gets: viem's getBundlerError class under a UserOperationExecutionError. */
function prepared(code: number, message: string, url = urls.bundlerUrl): Error {
  return new UserOperationExecutionError(getBundlerError(answered(code, message, url) as RpcRequestError, {}), {} as never);
}

const refused = (code: string): Partial<UserOpFailure> => ({ kind: 'refused', code }) as Partial<UserOpFailure>;

type Row = [string, unknown, Partial<UserOpFailure>];

const byCode: Row[] = [
  ['-32500 with an account AA reason', answered(-32500, 'account validation failed: AA23 reverted'), refused('SIMULATION_REVERTED')],
  ['-32500 with a paymaster AA reason', prepared(-32500, 'UserOperation reverted during simulation with reason: AA33 reverted'), refused('PAYMASTER_REJECTED')],
  ['-32500 with no reason a text match knows', answered(-32500, 'preVerificationGas is not enough'), refused('SIMULATION_REVERTED')],
  ['-32501', answered(-32501, 'validation failed: denied'), refused('PAYMASTER_REJECTED')],
  ['-32501 through viem', prepared(-32501, 'paymaster validation failed: denied'), refused('PAYMASTER_REJECTED')],
  [
    '-32502 even when it names a paymaster',
    answered(-32502, 'A Paymaster at 0x01 in this UserOperation is used as a sender entity'),
    refused('BUNDLER_REJECTED'),
  ],
  ['-32503', answered(-32503, 'UserOperation expires too soon, validUntil=1, now=2'), refused('BUNDLER_REJECTED')],
  ['-32505', answered(-32505, 'stake too low'), refused('PAYMASTER_REJECTED')],
  ['-32506', prepared(-32506, 'unsupported aggregator'), refused('BUNDLER_REJECTED')],
  ['-32507 for the account signature', prepared(-32507, 'Invalid UserOp signature'), refused('SIMULATION_REVERTED')],
  ['-32507 for the paymaster data', answered(-32507, 'Invalid UserOp paymasterData'), refused('PAYMASTER_REJECTED')],
  ['-32521', prepared(-32521, 'execution reverted'), refused('SIMULATION_REVERTED')],
  ['-32602', answered(-32602, 'operation refused by bundler policy'), refused('BUNDLER_REJECTED')],
  ['-32602 even when it names a paymaster or a revert', prepared(-32602, 'paymaster field reverted'), refused('BUNDLER_REJECTED')],
  ['a plain { code, message } answer', { code: -32501, message: 'denied' }, refused('PAYMASTER_REJECTED')],
  ['a plain answer under an Error', new Error('send failed', { cause: { code: -32500, message: "AA21 didn't pay prefund" } }), refused('SIMULATION_REVERTED')],
];

const whoAnswered: Row[] = [
  ['anything the paymaster refuses', answered(-32001, 'sponsorship denied by policy', urls.paymasterUrl), refused('PAYMASTER_REJECTED')],
  ['a -32602 from the paymaster', prepared(-32602, 'bad fields', urls.paymasterUrl), refused('PAYMASTER_REJECTED')],
];

const alreadyThere: Row[] = [
  ["alto's 'Already known' (sent as -32602)", answered(-32602, 'Already known'), { kind: 'already-known' }],
  ['already in mempool', answered(-32000, 'userop already in mempool'), { kind: 'already-known' }],
  ['duplicate user operation', { code: -32602, message: 'duplicate user operation' }, { kind: 'already-known' }],
  [
    "alto's AA25 (sent as -32602)",
    answered(-32602, 'AA25 invalid account nonce: Another UserOperation with same sender and nonce is already being processed'),
    { kind: 'nonce-used' },
  ],
  ['AA25 through viem', prepared(-32500, 'UserOperation failed validation with reason: AA25 invalid account nonce'), { kind: 'nonce-used' }],
  ['nonce too low', answered(-32000, 'nonce too low'), { kind: 'nonce-used' }],
];

const unavailable: Row[] = [
  ['an HTTP 502 from the bundler', new HttpRequestError({ url: urls.bundlerUrl, status: 502, body }), { kind: 'unavailable', part: 'bundler' }],
  ['a timeout to the paymaster', new TimeoutError({ url: urls.paymasterUrl, body }), { kind: 'unavailable', part: 'paymaster' }],
  ['-32603 internal error', answered(-32603, 'internal error'), { kind: 'unavailable', part: 'bundler' }],
  ['-32504 throttled', prepared(-32504, 'paymaster throttled'), { kind: 'unavailable', part: 'bundler' }],
  // The deposit runs out: the operation waits for a top-up (README, Sponsorship), it is not refused.
  ['-32508 deposit too low', prepared(-32508, 'paymaster deposit too low'), { kind: 'unavailable', part: 'paymaster' }],
  [
    'AA31 in the words',
    answered(-32500, 'UserOperation reverted during simulation with reason: AA31 paymaster deposit too low'),
    { kind: 'unavailable', part: 'paymaster' },
  ],
  [
    "a bundler's per-sender limit, worded as an AA25",
    answered(-32602, 'AA25 invalid account nonce: Maximum number of parallel user operations for that is allowed for this sender reached'),
    { kind: 'unavailable', part: 'bundler' },
  ],
  ['-32005 limit exceeded from the chain', answered(-32005, 'rate limited', 'http://chain.test'), { kind: 'unavailable', part: 'chain' }],
];

const wordsOnly: Row[] = [
  ['AA3x', answered(-32000, 'AA33 reverted'), refused('PAYMASTER_REJECTED')],
  ['the word paymaster', answered(-32000, 'paymaster signature invalid'), refused('PAYMASTER_REJECTED')],
  ['execution reverted', answered(-32000, 'execution reverted: 0x'), refused('SIMULATION_REVERTED')],
  ['AA2x', answered(-32000, "AA21 didn't pay prefund"), refused('SIMULATION_REVERTED')],
  ['AA1x', answered(-32000, 'AA13 initCode failed or OOG'), refused('SIMULATION_REVERTED')],
  ['anything else', answered(-32000, 'not today'), refused('BUNDLER_REJECTED')],
];

const cyclic = new Error('cyclic');
(cyclic as { cause?: unknown }).cause = cyclic;

const notAnAnswer: Row[] = [
  ['a plain Error', new Error('boom'), { kind: 'unexpected', message: 'boom' }],
  ['a TypeError under an Error', new Error('wrapped', { cause: new TypeError('x is undefined') }), { kind: 'unexpected' }],
  ['a string', 'boom', { kind: 'unexpected', message: 'boom' }],
  ['undefined', undefined, { kind: 'unexpected', message: 'undefined' }],
  ['a cyclic cause chain', cyclic, { kind: 'unexpected', message: 'cyclic' }],
];

describe('classifying a failed UserOperation step', () => {
  describe.each<[string, Row[]]>([
    ['by its ERC-7769 code', byCode],
    ['by who answered', whoAnswered],
    ['as already there', alreadyThere],
    ['as unavailable', unavailable],
    ['by its words, when no ERC-7769 code is given', wordsOnly],
    ['as not an answer at all', notAnAnswer],
  ])('%s', (_group, rows) => {
    it.each(rows)('%s', (_case, error, expected) => {
      expect(classifyUserOpError(error, urls)).toMatchObject(expected);
    });
  });

  it('knows every entry of a BUNDLER_URL list as the bundler', () => {
    const list = { ...urls, bundlerUrls: [urls.bundlerUrl, 'http://second-bundler.test/rpc'] };
    const fromSecond = new HttpRequestError({ url: 'http://second-bundler.test/rpc', status: 502, body });
    expect(classifyUserOpError(fromSecond, list)).toMatchObject({ kind: 'unavailable', part: 'bundler' });
    // Without the list, a URL that is not the first bundler's is the chain's.
    expect(classifyUserOpError(fromSecond, urls)).toMatchObject({ kind: 'unavailable', part: 'chain' });
  });

  it('reports what the remote side said, never the request body', () => {
    const failure = classifyUserOpError(answered(-32602, 'operation refused by bundler policy'), urls);
    expect(failure.message).toContain('operation refused by bundler policy');
    expect(failure.message).not.toContain('eth_sendUserOperation');
  });
});
