import { getAddress, isAddress, recoverMessageAddress, type Hex } from 'viem';
import type { Route } from '../route.js';
import { AppError, validationError } from '../errors.js';
import { handleOperationRequest } from '../operation-request.js';
import { EXTERNAL_ID, numbersToStrings } from '../request-values.js';
import { receiptHashOf, requireReceiptUnused, signatureShapeProblem } from '../mint-checks.js';
import { mintMessageHash } from '../../chain/contracts/deploy.js';
import { chronosTokenAbi } from '../../chain/contracts/abi.js';

const UINT = /^(0|[1-9]\d{0,77})$/;
const MAX_UINT256 = 2n ** 256n - 1n;

const invalidSignature = (why: string) => new AppError(400, 'INVALID_SIGNATURE', `Client signature verification failed: ${why}`);

function uint(name: string, value: string): bigint {
  if (!UINT.test(value) || BigInt(value) > MAX_UINT256) throw validationError(`${name} must be a non-negative integer (decimal string)`);
  return BigInt(value);
}

export const executeMint: Route = {
  operationId: 'executeMint',
  scope: 'mint',
  precheck: numbersToStrings(['amount', 'expiryBlock', 'nonce']),
  handler: (ctx) => (req, res) =>
    handleOperationRequest(ctx, req, res, {
      operationId: 'executeMint',
      async prepare({ client, walletAddress, token }) {
        const body = req.body as { receiptId: string; amount: string; signature: string; expiryBlock: string; nonce: string };
        if (!EXTERNAL_ID.test(body.receiptId)) throw validationError('receiptId must be 1-256 characters: letters, digits, dashes and underscores');
        const amount = uint('amount', body.amount);
        if (amount === 0n) throw validationError('amount must be greater than 0 (in wei)');
        const expiryBlock = uint('expiryBlock', body.expiryBlock);
        const nonce = uint('nonce', body.nonce);
        if (!/^0x[0-9a-fA-F]{130}$/.test(body.signature)) throw validationError('signature must be 65 bytes as 0x-prefixed hex');
        const signature = body.signature as Hex;
        const shapeProblem = signatureShapeProblem(signature);
        if (shapeProblem) throw invalidSignature(shapeProblem);

        const block = await ctx.publicClient.getBlockNumber({ cacheTime: 0 });
        if (expiryBlock <= block)
          throw new AppError(400, 'MINT_EXPIRED', `expiryBlock ${expiryBlock} has passed (current block ${block}); call /mint/prepare again`);

        if (!client.signer_address || !isAddress(client.signer_address)) throw invalidSignature('no mint signer is registered for this client');
        const hash = mintMessageHash({
          token,
          chainId: ctx.config.chain.chainId,
          to: walletAddress,
          receiptId: body.receiptId,
          amount,
          expiryBlock,
          nonce,
        });
        const recovered = await recoverMessageAddress({ message: { raw: hash }, signature }).catch(() => undefined);
        if (!recovered || recovered !== getAddress(client.signer_address))
          throw invalidSignature('the signature does not recover to the registered signer over the documented messageHash');
        const authorized = await ctx.publicClient.readContract({ address: token, abi: chronosTokenAbi, functionName: 'signers', args: [recovered] });
        if (!authorized) throw invalidSignature(`signer ${recovered} is not authorized on ChronosToken ${token}`);
        await requireReceiptUnused(ctx, { token, receiptId: body.receiptId });

        return {
          row: {
            type: 'mint',
            receipt_hash: receiptHashOf(body.receiptId),
            mint_nonce: nonce,
            expiry_block: expiryBlock,
            params: JSON.stringify({
              to: walletAddress,
              receiptId: body.receiptId,
              amountWei: amount.toString(),
              expiryBlock: expiryBlock.toString(),
              nonce: nonce.toString(),
              signature,
            }),
          },
        };
      },
    }),
};
