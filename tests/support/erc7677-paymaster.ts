// A small ERC-7677 paymaster service of our own, for the hosted-paymaster mode (PAYMASTER_URL):
// pm_getPaymasterStubData / pm_getPaymasterData over JSON-RPC, answered by signing for the shared
// ChronosPaymaster with the test stack's signer key (the in-process code, behind HTTP). It records
// every request's ERC-7677 `context`, so a test can check what Chronos sent.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hexToBigInt, numberToHex, type Address, type Hex } from 'viem';
import { createOwnPaymaster } from '../../src/userop/sponsorship/own-paymaster.js';

export type Erc7677PaymasterStandIn = {
  url: string;
  /** [method, context] of every request, in arrival order. */
  requests: { method: string; context: unknown }[];
  stop(): Promise<void>;
};

type RpcUserOperation = Record<string, Hex | Address | undefined>;

export async function startErc7677PaymasterStandIn({
  paymaster,
  signerKey,
  chainId,
  validSeconds = 180,
}: {
  paymaster: Address;
  signerKey: Hex;
  chainId: number;
  validSeconds?: number;
}): Promise<Erc7677PaymasterStandIn> {
  const sponsor = createOwnPaymaster({ address: paymaster, signerKey, chainId, validSeconds });
  const requests: Erc7677PaymasterStandIn['requests'] = [];
  const server = createServer(async (req, res) => {
    const body = JSON.parse(await readBody(req)) as { id: number; method: string; params: [RpcUserOperation, Address, Hex, unknown] };
    const reply = (payload: object) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, ...payload }));
    };
    const [userOp, , , context] = body.params ?? [];
    requests.push({ method: body.method, context: context ?? null });
    if (body.method !== 'pm_getPaymasterStubData' && body.method !== 'pm_getPaymasterData') {
      return reply({ error: { code: -32601, message: `method ${body.method} not supported` } });
    }
    const request = fromRpc(userOp);
    const data = body.method === 'pm_getPaymasterStubData' ? await sponsor.getPaymasterStubData(request) : await sponsor.getPaymasterData(request);
    const { paymasterVerificationGasLimit, paymasterPostOpGasLimit } = data as { paymasterVerificationGasLimit?: bigint; paymasterPostOpGasLimit?: bigint };
    reply({
      result: {
        paymaster: data.paymaster,
        paymasterData: data.paymasterData,
        ...(paymasterVerificationGasLimit !== undefined && { paymasterVerificationGasLimit: numberToHex(paymasterVerificationGasLimit) }),
        ...(paymasterPostOpGasLimit !== undefined && { paymasterPostOpGasLimit: numberToHex(paymasterPostOpGasLimit) }),
      },
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The JSON-RPC form of a UserOperation (hex quantities) back into viem's (bigints). */
function fromRpc(userOp: RpcUserOperation) {
  const quantity = (key: string) => (userOp[key] === undefined ? undefined : hexToBigInt(userOp[key] as Hex));
  return {
    sender: userOp.sender as Address,
    nonce: quantity('nonce')!,
    callData: userOp.callData as Hex,
    factory: userOp.factory as Address | undefined,
    factoryData: userOp.factoryData as Hex | undefined,
    callGasLimit: quantity('callGasLimit'),
    verificationGasLimit: quantity('verificationGasLimit'),
    preVerificationGas: quantity('preVerificationGas'),
    maxFeePerGas: quantity('maxFeePerGas'),
    maxPriorityFeePerGas: quantity('maxPriorityFeePerGas'),
  } as never;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => resolve(text));
    req.on('error', reject);
  });
}
