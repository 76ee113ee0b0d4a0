// The embedded default and the tests need an ERC-7677 paymaster that sponsors everything; this runs
// @pimlico/mock-paymaster in a child process (see paymaster-process.ts for why) and waits until it
// serves JSON-RPC at `http://127.0.0.1:<port>/` (POST, root path).
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { captureTail, stopChild, terminateOnParentExit } from './anvil.js';

export type Paymaster = { url: string; process: ChildProcess; stop: () => Promise<void> };

export type StartPaymasterParameters = {
  /** The chain; the paymaster deploys and funds its singleton paymasters there on startup. */
  rpcUrl: string;
  /** Methods other than `pm_*` (gas prices, estimation) are forwarded here; it need not be up yet. */
  bundlerUrl: string;
  port: number;
  /** In a process group of its own, so a terminal's Ctrl-C reaches only us and we stop it after draining. */
  detached?: boolean;
};

const require = createRequire(import.meta.url);

/**
 * Starts the mock paymaster and resolves once its HTTP server answers, which it opens only after its
 * on-chain setup (deploying and funding its singleton paymasters) is done. Does not wait for the
 * bundler, so both can start at once. Needs EntryPoint v0.6, v0.7 and v0.8 deployed
 * (deployCanonicalAccountContracts).
 */
export async function startPaymaster({ rpcUrl, bundlerUrl, port, detached = false }: StartPaymasterParameters): Promise<Paymaster> {
  const child = spawn(process.execPath, [...childNodeArgs(), JSON.stringify({ anvilRpc: rpcUrl, altoRpc: bundlerUrl, port })], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached,
  });
  // The IPC channel only tells the child when we die; it must not keep us alive.
  child.channel?.unref();
  terminateOnParentExit(child);
  const output = captureTail(child);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForPing(url, child, output);
  } catch (error) {
    await stopChild(child, 1000);
    throw new Error(`the mock paymaster did not start on ${url}: ${(error as Error).message}`, { cause: error });
  }
  return { url, process: child, stop: () => stopChild(child, 2000) };
}

/** Runs the TypeScript source through tsx when we run from source, the compiled file otherwise. */
function childNodeArgs(): string[] {
  const self = fileURLToPath(import.meta.url);
  const ext = self.endsWith('.ts') ? '.ts' : '.js';
  const entry = fileURLToPath(new URL(`./paymaster-process${ext}`, import.meta.url));
  if (ext === '.js') return [entry];
  return ['--import', pathToFileURL(require.resolve('tsx')).href, entry];
}

/** Polls `GET /ping`, failing early if the process exits. */
async function waitForPing(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`it exited with ${child.exitCode ?? child.signalCode}: ${output().slice(-2000)}`);
    }
    try {
      const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no answer within ${timeoutMs} ms: ${output().slice(-2000)}`);
}
