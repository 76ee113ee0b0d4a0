// CHAIN_ID signs every UserOperation (the EntryPoint hashes it in): against a chain with another id
// each one is refused, so a mismatch is a boot error rather than a process that says it is running.
import type { Config } from '../config/schema.js';
import { ConfigError } from '../config/load.js';
import type { Logger } from '../observability/logger.js';
import { describeEntry } from '../config/url-list.js';

const TIMEOUT_MS = 5_000;

/**
 * Asks every entry of RPC_URL and BUNDLER_URL for its chain id. One that answers with another id fails
 * the start (a failover to it would send there); one that cannot be reached is left to /readyz (a
 * dependency may come up after us).
 */
export async function assertChainId(config: Config, logger: Logger): Promise<void> {
  const endpoints = [...endpointsOf('RPC_URL', config.chain.rpcUrls), ...endpointsOf('BUNDLER_URL', config.chain.bundlerUrls)];
  const answers = await Promise.all(endpoints.map(async (endpoint) => ({ ...endpoint, chainId: await chainIdAt(endpoint.url) })));
  const problems: string[] = [];
  for (const { variable, entry, chainId } of answers) {
    const named = entry ? `${variable} ${entry}` : variable;
    if (chainId === undefined) logger.warn({ variable, entry }, 'could not ask for the chain id at start; /readyz reports the endpoint until it answers');
    else if (chainId !== config.chain.chainId) problems.push(`CHAIN_ID is ${config.chain.chainId} but ${named} serves chain ${chainId}`);
  }
  if (problems.length) throw new ConfigError(problems);
}

/** A list's entries, each named for the messages (a single URL by its variable alone, as before lists). */
function endpointsOf(variable: string, urls: readonly string[]): { variable: string; url: string; entry?: string }[] {
  return urls.map((url, i) => ({ variable, url, entry: urls.length > 1 ? describeEntry(url, i, urls.length) : undefined }));
}

async function chainIdAt(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await response.json()) as { result?: unknown };
    return typeof body.result === 'string' ? Number(BigInt(body.result)) : undefined;
  } catch {
    return undefined;
  }
}
