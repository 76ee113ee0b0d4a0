// Which tokens a client's operations move (README, Payments: the client's tokens): its own ChronosToken
// first — every operation's default, and the only one mints and claims use — then the 18-decimal ERC-20
// tokens `chronos tokens add` gave it, in the order they were added; each may carry the per-operation
// amount limits `chronos tokens set-limits` set.
import { getAddress, isAddress, isAddressEqual, type Address } from 'viem';
import { apiErrors } from '../app-error.js';
import type { Client, ClientToken } from '../db/schema.js';
import { tokenOf } from '../operations/contracts.js';
import type { ConfiguredContractAddresses } from '../chain/contracts/registry.js';

export type TokenChoice = {
  address: Address;
  /** The client's own ChronosToken (or the shared one it was registered with). */
  own: boolean;
  /** Set for an added token; the own token's are read from the chain when shown. */
  symbol?: string;
  name?: string;
  minWei?: bigint;
  maxWei?: bigint;
};

/** The client's tokens, its own first. */
export function clientTokensOf(
  config: { contracts: Readonly<ConfiguredContractAddresses> },
  client: Pick<Client, 'token_address'>,
  rows: ClientToken[],
): TokenChoice[] {
  const ownAddress = tokenOf(config, client.token_address);
  const limits = (row: ClientToken | undefined) => ({
    ...(row?.min_amount_wei != null && { minWei: BigInt(row.min_amount_wei) }),
    ...(row?.max_amount_wei != null && { maxWei: BigInt(row.max_amount_wei) }),
  });
  const ownRow = rows.find((row) => isAddressEqual(row.token_address as Address, ownAddress));
  const own: TokenChoice = { address: ownAddress, own: true, ...limits(ownRow) };
  const added = rows
    .filter((row) => row !== ownRow)
    .map((row): TokenChoice => ({ address: getAddress(row.token_address), own: false, symbol: row.symbol, name: row.name, ...limits(row) }));
  return [own, ...added];
}

/**
 * The token a request names (`token`), or the client's own when it names none. One the client was not
 * given is a 400; so is another than its own for an operation that only its own can carry (a mint, a claim).
 */
export function chooseToken(tokens: TokenChoice[], requested: unknown, { ownOnly }: { ownOnly: boolean }): TokenChoice {
  const [own] = tokens;
  if (requested === undefined) return own;
  const found =
    typeof requested === 'string' && isAddress(requested, { strict: false }) ? tokens.find((t) => isAddressEqual(t.address, requested as Address)) : undefined;
  if (!found) throw apiErrors.validation(`token must be one of the client's tokens when given (GET /api/v1/payments/tokens); its own is ${own.address}`);
  if (ownOnly && !found.own) throw apiErrors.validation(`this operation moves the client's own token ${own.address} only`);
  return found;
}
