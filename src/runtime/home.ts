// The embedded default keeps everything it generates under one folder: `.chronos/` in the working
// directory, or CHRONOS_HOME.
import { join, resolve } from 'node:path';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Address, Hex } from 'viem';
import type { ChronosContractAddresses } from '../chain/contracts/registry.js';

export function chronosHome(env: Record<string, string | undefined> = process.env): string {
  return resolve(env.CHRONOS_HOME ?? join(process.cwd(), '.chronos'));
}

/**
 * `.chronos/dev.json`, exactly the fields the README's "Quick start" shows. This project's contracts
 * (token, claimVault, …) come from src/chain/contracts/registry.ts; the embedded stack writes them
 * between accountFactory and databaseUrl.
 */
export type DevFile = ChronosContractAddresses & {
  apiUrl: string;
  rpcUrl: string;
  bundlerUrl: string;
  /** null: Chronos sponsors in-process with its own paymaster (`paymaster`), there is no paymaster service. */
  paymasterUrl: string | null;
  chainId: number;
  entryPoint: Address;
  accountFactory: Address;
  databaseUrl: string;
  demoClient: { clientId: string; clientSecret: string; webhookSecret: string; signerPrivateKey: Hex; signerAddress: Address };
};

export const devFilePath = (home: string) => join(home, 'dev.json');

export async function readDevFile(home: string): Promise<DevFile | undefined> {
  try {
    return JSON.parse(await readFile(devFilePath(home), 'utf8')) as DevFile;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`${devFilePath(home)} is unreadable: ${(error as Error).message}`, { cause: error });
  }
}

/** Written whole and renamed into place: a reader (the CLI, a script) never sees half a file. */
export async function writeDevFile(home: string, dev: DevFile): Promise<void> {
  const partial = `${devFilePath(home)}.${process.pid}.partial`;
  await writeFile(partial, `${JSON.stringify(dev, null, 2)}\n`, { mode: 0o600 });
  await rename(partial, devFilePath(home));
}
