import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { compileContracts } from '../../../chain/contracts/compile.js';
import type { CommandInput } from '../../command.js';

export async function run({ out, options }: CommandInput): Promise<void> {
  const compiled = await compileContracts({ cache: options.force !== true });
  const directory = typeof options.out === 'string' ? resolve(options.out) : undefined;
  if (directory) {
    await mkdir(directory, { recursive: true });
    for (const [name, contract] of Object.entries(compiled)) await writeFile(join(directory, `${name}.json`), `${JSON.stringify(contract, null, 2)}\n`);
  }
  const contracts = Object.fromEntries(
    Object.entries(compiled).map(([name, { abi, bytecode }]) => [name, { bytecodeBytes: (bytecode.length - 2) / 2, abiEntries: abi.length }]),
  );
  out.result({ contracts, ...(directory && { out: directory }) }, [
    ...Object.entries(contracts).map(([name, c]) => `${name.padEnd(13)} ${c.bytecodeBytes} bytes of bytecode, ${c.abiEntries} ABI entries`),
    directory ? `written to ${directory}` : 'cached for chronos start and contracts deploy',
  ]);
}
