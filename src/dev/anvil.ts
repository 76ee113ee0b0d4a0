// The embedded default and the tests run their own chain: anvil from the npm package, on loopback.
// Also home of the small child-process helpers the other local services share.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type Anvil = { rpcUrl: string; process: ChildProcess; stop: () => Promise<void> };

export type StartAnvilParameters = {
  port: number;
  /** Load from and dump to this file so chain state survives restarts. */
  statePath?: string;
  /** Seconds between blocks; omitted = automine (a block per transaction). */
  blockTime?: number;
  /** In a process group of its own, so a terminal's Ctrl-C reaches only us and we stop anvil after draining. */
  detached?: boolean;
};

const require = createRequire(import.meta.url);

export function anvilBinary(): string {
  const pkg = require.resolve('@foundry-rs/anvil-linux-amd64/package.json');
  return join(dirname(pkg), 'bin', 'anvil');
}

/** Starts anvil on loopback and resolves once it answers JSON-RPC. */
export async function startAnvil({ port, statePath, blockTime, detached = false }: StartAnvilParameters): Promise<Anvil> {
  const args = ['--host', '127.0.0.1', '--port', String(port), '--silent'];
  if (statePath) args.push('--state', statePath, '--state-interval', '5');
  if (blockTime) args.push('--block-time', String(blockTime));
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'], detached });
  terminateOnParentExit(child);
  const output = captureTail(child);
  const rpcUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForJsonRpc(rpcUrl, child, output);
  } catch (error) {
    await stopChild(child, 1000);
    throw error;
  }
  return { rpcUrl, process: child, stop: () => stopChild(child) };
}

/** Polls `eth_chainId` until the endpoint answers, failing early if the process exits. */
export async function waitForJsonRpc(url: string, child: ChildProcess, output: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`process for ${url} exited with ${child.exitCode ?? child.signalCode}: ${output().slice(-2000)}`);
    }
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
        signal: AbortSignal.timeout(2000),
      });
      if (res.ok) {
        const body = (await res.json()) as { result?: unknown };
        if (typeof body.result === 'string') return;
      }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${output().slice(-2000)}`);
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the process is gone. */
export function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Sends SIGTERM to the child when this process exits without stopping it (an uncaught error, a
 * handled signal). A SIGKILLed parent cannot do even that; node children also watch their IPC channel.
 */
export function terminateOnParentExit(child: ChildProcess): void {
  const terminate = () => {
    child.kill('SIGTERM');
  };
  process.on('exit', terminate);
  child.once('exit', () => process.off('exit', terminate));
}

/** Keeps the last few kilobytes of a child's stdout and stderr, for error messages. */
export function captureTail(child: ChildProcess, maxChars = 8000): () => string {
  let tail = '';
  const append = (chunk: Buffer) => {
    tail += chunk.toString('utf8');
    if (tail.length > maxChars * 2) tail = tail.slice(-maxChars);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  return () => tail.slice(-maxChars);
}
