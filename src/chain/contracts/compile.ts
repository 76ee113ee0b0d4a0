import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Abi, Hex } from 'viem';
import { CHRONOS_CONTRACTS, type ChronosContractName } from './registry.js';

export type CompiledContract = { abi: Abi; bytecode: Hex };
export type CompiledContracts = Record<ChronosContractName, CompiledContract>;
export type CompileContractsParameters = {
  /** Set to false to ignore (and overwrite) the on-disk cache, e.g. to measure a cold compile. */
  cache?: boolean;
};

// Cancun (mcopy, transient storage) is what OpenZeppelin 5 may use and what anvil's default hardfork
// and every mainstream EVM chain already run; newer targets would gain nothing for these contracts.
const EVM_VERSION = 'cancun';
const OPTIMIZER_RUNS = 200;

const require = createRequire(import.meta.url);
const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
const cacheDirectory = join(projectRoot, 'node_modules', '.cache', 'chronos-contracts');
// Parsed results per source hash, so repeated calls in one process skip the disk read.
const memory = new Map<string, CompiledContracts>();

/**
 * Compiles `contracts/*.sol` with solc-js. The result is cached on disk under a hash of the compiler
 * version, the settings and every source file reached through imports, because a solc-js compile
 * takes seconds and every test file and every `npm start` needs the bytecode.
 */
export async function compileContracts({ cache = true }: CompileContractsParameters = {}): Promise<CompiledContracts> {
  const sources = await collectSources();
  const solcVersion: string = require('solc/package.json').version;
  const hash = sha256(JSON.stringify({ solcVersion, EVM_VERSION, OPTIMIZER_RUNS, sources }));
  const cacheFile = join(cacheDirectory, `${hash}.json`);

  if (cache) {
    const remembered = memory.get(hash);
    if (remembered) return remembered;
    if (existsSync(cacheFile)) {
      const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as CompiledContracts;
      // A contract newly entered in the registry for a source file that was already there leaves the
      // hash as it was: such a cached result lacks it and is compiled again.
      if (CHRONOS_CONTRACTS.every((c) => c.name in cached)) {
        memory.set(hash, cached);
        return cached;
      }
    }
  }

  const compiled = await runSolc(sources);
  await mkdir(cacheDirectory, { recursive: true });
  // Write-then-rename so a concurrent reader never sees a half-written file.
  const temporary = `${cacheFile}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, JSON.stringify(compiled));
  await rename(temporary, cacheFile);
  memory.set(hash, compiled);
  return compiled;
}

type SolcOutput = {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
};

async function runSolc(sources: Record<string, string>): Promise<CompiledContracts> {
  // Loaded lazily: importing solc-js instantiates a large wasm module, which the cached path avoids.
  const { default: solc } = await import('solc');
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([unit, content]) => [unit, { content }])),
    settings: {
      optimizer: { enabled: true, runs: OPTIMIZER_RUNS },
      evmVersion: EVM_VERSION,
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  // Every import is already in `sources`; the callback is a fallback for one the scanner missed.
  const findImports = (unit: string) => {
    try {
      return { contents: readSourceSync(unit) };
    } catch (error) {
      return { error: `cannot resolve import "${unit}": ${(error as Error).message}` };
    }
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports })) as SolcOutput;

  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) {
    throw new Error(`Solidity compilation failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  }
  const result = {} as CompiledContracts;
  for (const { name, source } of CHRONOS_CONTRACTS) {
    const contract = output.contracts?.[source]?.[name];
    if (!contract) throw new Error(`solc produced no output for ${source}:${name}`);
    result[name] = { abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` };
  }
  return result;
}

/** Reads every contract plus all files it imports, keyed by solc source unit name. */
async function collectSources(): Promise<Record<string, string>> {
  const files = (await readdir(join(projectRoot, 'contracts'))).filter((f) => f.endsWith('.sol')).sort();
  const pending = files.map((f) => `contracts/${f}`);
  const sources: Record<string, string> = {};
  while (pending.length > 0) {
    const unit = pending.pop()!;
    if (unit in sources) continue;
    sources[unit] = readSourceSync(unit);
    for (const imported of importsOf(sources[unit])) {
      // Relative imports resolve against the importing unit's name, exactly as solc does.
      pending.push(imported.startsWith('.') ? posix.join(posix.dirname(unit), imported) : imported);
    }
  }
  // Sorted so the hash does not depend on traversal order.
  return Object.fromEntries(Object.entries(sources).sort(([a], [b]) => a.localeCompare(b)));
}

function importsOf(source: string): string[] {
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return [...withoutComments.matchAll(/\bimport\s+(?:[^;"']*?\bfrom\s+)?["']([^"']+)["']/g)].map((m) => m[1]);
}

function readSourceSync(unit: string): string {
  const file = unit.startsWith('contracts/') ? join(projectRoot, unit) : require.resolve(unit);
  // readFileSync because solc's import callback is synchronous.
  return readFileSync(file, 'utf8');
}

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'contracts'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json with a contracts/ folder above ${start}`);
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
