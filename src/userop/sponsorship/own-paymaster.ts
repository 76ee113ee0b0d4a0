// Chronos's own sponsorship: ChronosPaymaster (contracts/ChronosPaymaster.sol, eth-infinitism's v0.7
// VerifyingPaymaster) pays for a UserOperation whose paymasterData carries a validity window and the
// signature of PAYMASTER_SIGNER_KEY over the operation. This produces that data in-process, as the
// stub for gas estimation and as the final data once the gas limits are known — what an ERC-7677
// service's pm_getPaymasterStubData / pm_getPaymasterData would answer, without the HTTP hop.
import { concat, decodeAbiParameters, encodeAbiParameters, isAddressEqual, keccak256, slice, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import {
  toPackedUserOperation,
  type GetPaymasterDataParameters,
  type GetPaymasterDataReturnType,
  type GetPaymasterStubDataParameters,
  type GetPaymasterStubDataReturnType,
  type UserOperation,
} from 'viem/account-abstraction';

/** What viem's prepareUserOperation asks of a paymaster: its PaymasterActions, which an ERC-7677 client also has. */
export type Sponsor = {
  getPaymasterStubData(request: GetPaymasterStubDataParameters): Promise<GetPaymasterStubDataReturnType>;
  getPaymasterData(request: GetPaymasterDataParameters): Promise<GetPaymasterDataReturnType>;
};
type PaymasterRequest = Partial<UserOperation<'0.7'>> & Pick<UserOperation<'0.7'>, 'sender' | 'nonce' | 'callData'>;

export type OwnPaymasterParameters = {
  address: Address;
  signerKey: Hex;
  chainId: number;
  /** How long a signed sponsorship may be included (SPONSORSHIP_VALID_SECONDS). */
  validSeconds: number;
  /** Seconds since the epoch; the wall clock unless a test says otherwise. */
  now?: () => number;
};

const uint48Pair = [{ type: 'uint48' }, { type: 'uint48' }] as const;
/**
 * A well-formed signature by nobody in particular, for gas estimation only: the paymaster then reports
 * a signature failure instead of reverting, and ecrecover costs what it will cost with the real one.
 */
const STUB_SIGNATURE: Hex =
  '0xfffffffffffffffffffffffffffffff0000000000000000000000000000000007aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1c';
/**
 * What validating our paymasterData costs (decode, hash, ecrecover) with room to spare; fixed, so the
 * stub and the final data agree and the bundler need not estimate it. postOp is never called: the
 * paymaster returns no context.
 */
export const OWN_PAYMASTER_VERIFICATION_GAS = 60_000n;

export function createOwnPaymaster({ address, signerKey, chainId, validSeconds, now = () => Math.floor(Date.now() / 1000) }: OwnPaymasterParameters): Sponsor {
  const signer = privateKeyToAccount(signerKey);
  const gas = { paymasterVerificationGasLimit: OWN_PAYMASTER_VERIFICATION_GAS, paymasterPostOpGasLimit: 0n };
  return {
    async getPaymasterStubData() {
      const validUntil = now() + validSeconds;
      return { paymaster: address, paymasterData: paymasterDataOf({ validUntil, validAfter: 0, signature: STUB_SIGNATURE }), ...gas };
    },
    async getPaymasterData(request) {
      const window = { validUntil: now() + validSeconds, validAfter: 0 };
      const hash = sponsorshipHash({ ...(request as PaymasterRequest), ...gas }, { chainId, paymaster: address, ...window });
      const signature = await signer.signMessage({ message: { raw: hash } });
      return { paymaster: address, paymasterData: paymasterDataOf({ ...window, signature }), ...gas };
    },
  };
}

function paymasterDataOf({ validUntil, validAfter, signature }: { validUntil: number; validAfter: number; signature: Hex }): Hex {
  return concat([encodeAbiParameters(uint48Pair, [validUntil, validAfter]), signature]);
}

/**
 * VerifyingPaymaster.getHash, off-chain: every field of the packed operation but the paymaster's
 * signature, plus the chain, the paymaster and the window (tests/userop/own-paymaster.test.ts holds it
 * against the contract's).
 */
export function sponsorshipHash(
  request: PaymasterRequest & Pick<UserOperation<'0.7'>, 'paymasterVerificationGasLimit' | 'paymasterPostOpGasLimit'>,
  { chainId, paymaster, validUntil, validAfter }: { chainId: number; paymaster: Address; validUntil: number; validAfter: number },
): Hex {
  const packed = toPackedUserOperation({
    callGasLimit: 0n,
    preVerificationGas: 0n,
    verificationGasLimit: 0n,
    maxFeePerGas: 0n,
    maxPriorityFeePerGas: 0n,
    signature: '0x',
    ...request,
    paymaster,
    paymasterData: '0x',
  } as UserOperation<'0.7'>);
  // paymasterAndData[20:52]: the paymaster's verification and postOp gas limits, 16 bytes each.
  const paymasterGas = BigInt(slice(packed.paymasterAndData, 20, 52));
  return keccak256(
    encodeAbiParameters(
      [
        { type: 'address' },
        { type: 'uint256' },
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'bytes32' },
        { type: 'uint256' },
        { type: 'uint256' },
        { type: 'bytes32' },
        { type: 'uint256' },
        { type: 'address' },
        { type: 'uint48' },
        { type: 'uint48' },
      ],
      [
        packed.sender,
        packed.nonce,
        keccak256(packed.initCode),
        keccak256(packed.callData),
        packed.accountGasLimits,
        paymasterGas,
        packed.preVerificationGas,
        packed.gasFees,
        BigInt(chainId),
        paymaster,
        validUntil,
        validAfter,
      ],
    ),
  );
}

/**
 * The window of a stored operation that our paymaster sponsors (undefined for any other sponsor):
 * past validUntil, by the chain's clock, no block can include it.
 */
export function ownSponsorshipWindow(userOp: Record<string, string>, paymaster: Address): { validUntil: number; validAfter: number } | undefined {
  if (!userOp.paymaster || !isAddressEqual(userOp.paymaster as Address, paymaster) || !userOp.paymasterData) return undefined;
  const [validUntil, validAfter] = decodeAbiParameters(uint48Pair, slice(userOp.paymasterData as Hex, 0, 64));
  return { validUntil, validAfter };
}
