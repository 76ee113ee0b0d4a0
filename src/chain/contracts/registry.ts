// This project's own contracts (contracts/*.sol), each declared once. Compile, deploy, the config
// schema, dev.json, the banner, `chronos contracts deploy`, the test stack and the bench loop over
// CHRONOS_CONTRACTS, so adding a contract is one entry here, its .sol file and its ABI in abi.ts.
// EntryPoint and the account factory are canonical ERC-4337 contracts (src/dev/canonical-contracts.ts),
// the same on every chain: they are not Chronos's to compile or deploy, so they are not listed here.
import { isAddressEqual, zeroAddress, zeroHash, type Abi, type Address, type ContractConstructorArgs, type PublicClient } from 'viem';
import { chronosCertificateAbi, chronosEscrowAbi, chronosPaymasterAbi, chronosTokenAbi, claimVaultAbi } from './abi.js';

/** What a deployment's constructor arguments are made from. */
export type DeployContext = {
  /** Owner of ChronosToken, the only address that can authorize mint signers. */
  owner: Address;
  /** The EntryPoint v0.7 the paymaster pays through (deploying the paymaster needs it). */
  entryPoint?: Address;
  /** The address of PAYMASTER_SIGNER_KEY: the paymaster pays only for what it signed (deploying it needs it). */
  paymasterSigner?: Address;
};

function required(value: Address | undefined, name: string): Address {
  if (!value) throw new Error(`deploying ChronosPaymaster needs the ${name}`);
  return value;
}

type Need = 'always' | 'own-sponsorship' | 'payments' | 'certificates';

type ContractDeclaration<Name extends string, Key extends string, Variable extends string, TAbi extends Abi, Needed extends Need> = {
  /** The Solidity contract's name (`contract <name>`), also its artifact's name (`contracts compile --out`). */
  name: Name;
  /** The file declaring it, from the project root; also its solc source unit name. compile.ts reads every contracts/*.sol. */
  source: `contracts/${string}.sol`;
  /** Its field in `config.contracts` and in `.chronos/dev.json` (SPEC §1 fixes the dev.json names). */
  key: Key;
  /** The configuration variable holding the deployment's address. */
  variable: Variable;
  /** How the `npm start` banner names it. */
  label: string;
  abi: TAbi;
  /**
   * per-client: every client gets its own (src/admin/client-token.ts deploys it, clients.token_address
   * records it), and the deployment keeps one more under `variable` for clients registered before;
   * shared: one serves every client.
   */
  scope: 'per-client' | 'shared';
  constructorArgs(context: DeployContext): ContractConstructorArgs<TAbi>;
  /**
   * always: every deployment needs it (its variable is required);
   * own-sponsorship: only one that sponsors with Chronos's own paymaster, not with PAYMASTER_URL;
   * payments: only one that serves the payments endpoints (issue 19, being built), so a deployment
   * configured before payments keeps its configuration; certificates: likewise, for the certificate
   * endpoints (issue 20). Deployed every time.
   */
  needed: Needed;
  /**
   * Whether an address recorded by an earlier `npm start` still holds a current deployment on the
   * embedded chain, which may have been reset, may hold a build from before a contract change, or
   * (the paymaster) may trust another signer than the one configured now.
   */
  isCurrent(client: PublicClient, address: Address, context: DeployContext): Promise<boolean>;
};

/** Checks each entry's constructor arguments against its own ABI; keeps its literal name, key and variable for the types below. */
const declare = <const Name extends string, const Key extends string, const Variable extends string, const TAbi extends Abi, const Needed extends Need>(
  declaration: ContractDeclaration<Name, Key, Variable, TAbi, Needed>,
) => declaration;

/** In deployment order: each is confirmed before the next is sent. */
export const CHRONOS_CONTRACTS = [
  declare({
    name: 'ChronosToken',
    source: 'contracts/ChronosToken.sol',
    key: 'token',
    variable: 'TOKEN_ADDRESS',
    label: 'token',
    abi: chronosTokenAbi,
    scope: 'per-client',
    needed: 'always',
    constructorArgs: ({ owner }) => [owner] as const,
    // Any code at the address will do: every build of the token has had the same interface.
    isCurrent: async (client, address) => Boolean(await client.getCode({ address })),
  }),
  declare({
    name: 'ClaimVault',
    source: 'contracts/ClaimVault.sol',
    key: 'claimVault',
    variable: 'CLAIM_VAULT_ADDRESS',
    label: 'claim vault',
    abi: claimVaultAbi,
    scope: 'shared',
    needed: 'always',
    constructorArgs: () => [],
    // A vault from before claims were keyed by claimer has no used(address, bytes32): the call fails and a new one is deployed.
    isCurrent: (client, address) =>
      client.readContract({ address, abi: claimVaultAbi, functionName: 'used', args: [zeroAddress, zeroHash] }).then(
        () => true,
        () => false,
      ),
  }),
  declare({
    name: 'ChronosPaymaster',
    source: 'contracts/ChronosPaymaster.sol',
    key: 'paymaster',
    variable: 'PAYMASTER_ADDRESS',
    label: 'paymaster',
    abi: chronosPaymasterAbi,
    scope: 'shared',
    needed: 'own-sponsorship',
    constructorArgs: ({ entryPoint, paymasterSigner }) => [required(entryPoint, 'entryPoint'), required(paymasterSigner, 'paymasterSigner')] as const,
    // One that trusts another key (secrets.json regenerated) would refuse every sponsorship we sign.
    isCurrent: (client, address, { entryPoint, paymasterSigner }) =>
      Promise.all([
        client.readContract({ address, abi: chronosPaymasterAbi, functionName: 'verifyingSigner' }),
        client.readContract({ address, abi: chronosPaymasterAbi, functionName: 'entryPoint' }),
      ]).then(
        ([signer, ep]) => !!paymasterSigner && !!entryPoint && isAddressEqual(signer, paymasterSigner) && isAddressEqual(ep, entryPoint),
        () => false,
      ),
  }),
  declare({
    name: 'ChronosEscrow',
    source: 'contracts/ChronosEscrow.sol',
    key: 'escrow',
    variable: 'ESCROW_ADDRESS',
    label: 'escrow',
    abi: chronosEscrowAbi,
    scope: 'shared',
    needed: 'payments',
    constructorArgs: () => [],
    isCurrent: (client, address) =>
      client.readContract({ address, abi: chronosEscrowAbi, functionName: 'escrows', args: [zeroAddress, zeroHash] }).then(
        () => true,
        () => false,
      ),
  }),
  declare({
    name: 'ChronosCertificate',
    source: 'contracts/ChronosCertificate.sol',
    key: 'certificate',
    variable: 'CERTIFICATE_ADDRESS',
    label: 'certificates',
    abi: chronosCertificateAbi,
    // Each client issues on its own (clients.certificate_address, deployed by `clients create`); the
    // deployment's one is issued on by no client: a client without its own is CERTIFICATES_NOT_ENABLED.
    scope: 'per-client',
    needed: 'certificates',
    constructorArgs: ({ owner }) => [owner] as const,
    isCurrent: (client, address) =>
      client.readContract({ address, abi: chronosCertificateAbi, functionName: 'verify', args: [zeroHash] }).then(
        () => true,
        () => false,
      ),
  }),
] as const;

export type ChronosContract = (typeof CHRONOS_CONTRACTS)[number];
export type ChronosContractName = ChronosContract['name'];
export type ChronosContractKey = ChronosContract['key'];
export type ChronosContractVariable = ChronosContract['variable'];
/** One address per contract, by its `key`: what config.contracts, dev.json and a deployment carry. */
export type ChronosContractAddresses = { [K in ChronosContractKey]: Address };

/** Contracts a deployment may go without (the paymaster, when a hosted one sponsors; the escrow, without payments). */
export type OptionalContract = Exclude<ChronosContract, { needed: 'always' }>;
export type OptionalContractVariable = OptionalContract['variable'];
/** config.contracts: every address, the optional ones possibly absent. */
export type ConfiguredContractAddresses = Omit<ChronosContractAddresses, OptionalContract['key']> &
  Partial<Pick<ChronosContractAddresses, OptionalContract['key']>>;

export function chronosContract<K extends ChronosContractKey>(key: K): Extract<ChronosContract, { key: K }> {
  return CHRONOS_CONTRACTS.find((c) => c.key === key) as Extract<ChronosContract, { key: K }>;
}

/** One value per contract, by its `key`, in registry order. */
export function mapChronosContracts<T>(value: (contract: ChronosContract) => T): { [K in ChronosContractKey]: T } {
  return Object.fromEntries(CHRONOS_CONTRACTS.map((c) => [c.key, value(c)])) as { [K in ChronosContractKey]: T };
}

/** The configuration variables (TOKEN_ADDRESS, …) that point a Chronos process at these addresses. */
export function contractEnvironment(addresses: ChronosContractAddresses): { [V in ChronosContractVariable]: Address } {
  return Object.fromEntries(CHRONOS_CONTRACTS.map((c) => [c.variable, addresses[c.key]])) as { [V in ChronosContractVariable]: Address };
}
