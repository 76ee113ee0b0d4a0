// Entry point of the child process that runs @pimlico/mock-paymaster. It lives in its own process
// because it needs a global polyfill (prool calls Promise.withResolvers, missing in Node 20), brings
// its own fastify server, and logs freely; none of that belongs in the Chronos process.
//
// Usage: node paymaster-process.js '{"anvilRpc":"…","altoRpc":"…","port":4338}'

type PaymasterProcessParameters = { anvilRpc: string; altoRpc: string; port: number };

function polyfillPromiseWithResolvers(): void {
  const P = Promise as unknown as { withResolvers?: unknown };
  if (typeof P.withResolvers === 'function') return;
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

function parseParameters(raw: string | undefined): PaymasterProcessParameters {
  const value = JSON.parse(raw ?? 'null') as Partial<PaymasterProcessParameters> | null;
  if (!value || typeof value.anvilRpc !== 'string' || typeof value.altoRpc !== 'string' || !Number.isInteger(value.port)) {
    throw new Error(`expected {"anvilRpc","altoRpc","port"} as the first argument, got ${raw}`);
  }
  return value as PaymasterProcessParameters;
}

async function main(): Promise<void> {
  const { anvilRpc, altoRpc, port } = parseParameters(process.argv[2]);
  // Started with an IPC channel: when the parent goes away without stopping us, go with it.
  process.on('disconnect', () => process.exit(0));
  polyfillPromiseWithResolvers();
  const { paymaster } = await import('@pimlico/mock-paymaster');
  await paymaster({ anvilRpc, altoRpc, port, host: '127.0.0.1' }).start();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
