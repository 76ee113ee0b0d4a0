// Stops everything global-setup started and removes its temp dir. Reads the handle straight from
// globalThis: importing stack.ts again here would load the whole module graph a second time.
import type { TestStack } from './stack.js';

const TEST_STACK_HANDLE = Symbol.for('chronos.testStack');

export default async function globalTeardown(): Promise<void> {
  const globals = globalThis as Record<symbol, unknown>;
  const stack = globals[TEST_STACK_HANDLE] as TestStack | undefined;
  delete globals[TEST_STACK_HANDLE];
  await stack?.stop();
}
