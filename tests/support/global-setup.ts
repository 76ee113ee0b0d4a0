// Brings up the shared local stack once for the whole jest run (see stack.ts) and publishes its
// coordinates to the test files through process.env.
//
// Jest compiles this file to CommonJS and loads it through its require hook, where neither our `.js`
// specifiers for `.ts` files nor moduleNameMapper apply. So stack.ts is loaded as real ESM by tsx's
// tsImport; and tsx's ESM API must itself be imported as ESM (its CommonJS build fails to register),
// through a Function so that swc does not rewrite the dynamic import() into require().
import type * as StackModule from './stack.js';

type TsxEsmApi = typeof import('tsx/esm/api');
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<TsxEsmApi>;

export default async function globalSetup(): Promise<void> {
  const t0 = performance.now();
  const { tsImport } = await importEsm('tsx/esm/api');
  const { startTestStack, TEST_STACK_HANDLE } = (await tsImport('./stack.ts', import.meta.url)) as typeof StackModule;
  const stack = await startTestStack();
  (globalThis as Record<symbol, unknown>)[TEST_STACK_HANDLE] = stack;
  Object.assign(process.env, stack.env);
  const steps = Object.entries(stack.timings)
    .map(([name, ms]) => `${name} ${(ms / 1000).toFixed(2)}s`)
    .join(', ');
  console.log(
    `\n[test stack] up in ${((performance.now() - t0) / 1000).toFixed(2)}s (${steps}); chain ${stack.rpcUrl}, bundler ${stack.bundlerUrl}, paymaster ${stack.paymasterUrl}`,
  );
}
