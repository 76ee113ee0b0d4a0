// `chronos tokens …`: the tokens a client's operations may move beside its own ChronosToken, and the
// amount limits of each (README, Payments: the client's tokens). An added token must be an ERC-20 with
// 18 decimals (amounts are token units with at most 18 decimals everywhere); its name and symbol are
// read from the chain once, when it is added.
import type { Db } from '../db/connect.js';
import { findClient } from '../db/clients.js';
import { addClientTokenRow, listClientTokenRows, setClientTokenLimits as setLimitsRow } from '../db/client-tokens.js';

/** Where the token is read: the deployment's chain, and its shared token (the own token of clients registered before tokens were per client). */
export type TokenChain = { rpcUrl: string; chainId: number; token?: string };

export type ClientTokenView = { address: string; symbol: string; name: string; own: boolean; minAmount: string | null; maxAmount: string | null };

async function clientOf(db: Db, clientId: string) {
  const client = await findClient(db, clientId);
  if (!client) throw new Error(`no client with id '${clientId}'`);
  return client;
}

async function readMetadata(chain: TokenChain | undefined, address: string) {
  if (!chain) throw new Error('reading a token needs the chain: set RPC_URL and CHAIN_ID (or run where `npm start` runs)');
  const { createPublicClient, erc20Abi, getAddress, http, isAddress } = await import('viem');
  if (!isAddress(address)) throw new Error(`token '${address}' is not an address`);
  const token = getAddress(address);
  const client = createPublicClient({ transport: http(chain.rpcUrl, { retryCount: 1 }) });
  if (!(await client.getCode({ address: token }))) throw new Error(`token ${token} has no contract on chain ${chain.chainId}`);
  const read = <F extends 'name' | 'symbol' | 'decimals'>(functionName: F) => client.readContract({ address: token, abi: erc20Abi, functionName });
  const [name, symbol, decimals] = await Promise.all([read('name'), read('symbol'), read('decimals')]).catch(() => {
    throw new Error(`token ${token} does not answer name(), symbol() and decimals() as an ERC-20 does`);
  });
  if (decimals !== 18) throw new Error(`token ${token} has ${decimals} decimals; Chronos moves 18-decimal tokens only`);
  return { token, name: String(name), symbol: String(symbol), decimals };
}

export async function listClientTokens(db: Db, chain: TokenChain | undefined, clientId: string): Promise<ClientTokenView[]> {
  const client = await clientOf(db, clientId);
  const rows = await listClientTokenRows(db, clientId);
  const { formatUnits } = await import('viem');
  const units = (wei: string | null) => (wei === null ? null : formatUnits(BigInt(wei), 18));
  const own = (client.token_address ?? chain?.token ?? '').toLowerCase();
  const ownRow = rows.find((row) => row.token_address === own);
  const views: ClientTokenView[] = rows
    .filter((row) => row !== ownRow)
    .map((row) => ({
      address: row.token_address,
      symbol: row.symbol,
      name: row.name,
      own: false,
      minAmount: units(row.min_amount_wei),
      maxAmount: units(row.max_amount_wei),
    }));
  const ownView: ClientTokenView = {
    address: own,
    symbol: ownRow?.symbol ?? '',
    name: ownRow?.name ?? '',
    own: true,
    minAmount: units(ownRow?.min_amount_wei ?? null),
    maxAmount: units(ownRow?.max_amount_wei ?? null),
  };
  const { getAddress } = await import('viem');
  return [ownView, ...views].filter((view) => view.address !== '').map((view) => ({ ...view, address: getAddress(view.address) }));
}

/** Adds `address` to the client's tokens; adding one it has, or its own, changes nothing. */
export async function addClientToken(db: Db, chain: TokenChain | undefined, clientId: string, address: string): Promise<ClientTokenView[]> {
  await clientOf(db, clientId);
  const { token, name, symbol, decimals } = await readMetadata(chain, address);
  await addClientTokenRow(db, { clientId, tokenAddress: token, name, symbol, decimals });
  return listClientTokens(db, chain, clientId);
}

/**
 * Sets (or, with null, lifts) the least and most one operation may move in the token, in token units;
 * the client's own token too (a row is kept for its limits).
 */
export async function setClientTokenLimits(
  db: Db,
  chain: TokenChain | undefined,
  clientId: string,
  address: string,
  limits: { min: string | null; max: string | null },
): Promise<ClientTokenView[]> {
  const client = await clientOf(db, clientId);
  const { getAddress, isAddress } = await import('viem');
  const { parseTokenAmount } = await import('../chain/token-units.js');
  if (!isAddress(address)) throw new Error(`token '${address}' is not an address`);
  const wei = (amount: string | null, what: string) => {
    if (amount === null) return null;
    const value = parseTokenAmount(amount);
    if (value === undefined) throw new Error(`${what} '${amount}' is not a positive token amount (at most 18 decimals)`);
    return value;
  };
  const [minWei, maxWei] = [wei(limits.min, 'minimum'), wei(limits.max, 'maximum')];
  if (minWei !== null && maxWei !== null && minWei > maxWei) throw new Error(`the minimum ${limits.min} is above the maximum ${limits.max}`);
  const own = (client.token_address ?? chain?.token ?? '').toLowerCase();
  let updated = await setLimitsRow(db, { clientId, tokenAddress: address, minWei, maxWei });
  if (!updated && address.toLowerCase() === own) {
    // The own token's first limits: a row for it, described from the chain.
    const { name, symbol, decimals } = await readMetadata(chain, address);
    await addClientTokenRow(db, { clientId, tokenAddress: getAddress(address), name, symbol, decimals });
    updated = await setLimitsRow(db, { clientId, tokenAddress: address, minWei, maxWei });
  }
  if (!updated) throw new Error(`token ${getAddress(address)} is not one of client ${clientId}'s tokens: \`chronos tokens add ${clientId} ${address}\` first`);
  return listClientTokens(db, chain, clientId);
}
