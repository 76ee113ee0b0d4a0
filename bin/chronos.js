#!/usr/bin/env node
// Entry point of the `chronos` command. A source checkout runs the TypeScript directly through tsx;
// a built image (no src/, compiled dist/) runs the compiled JavaScript.
// V8 heap flags (--max-semi-space-size) come from whoever starts Node: `npm start` and the image's
// NODE_OPTIONS set them. Re-executing Node from here to add them would keep a second process (~40 MB)
// alive for the whole run, which is more than they save on a small deployment.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'src', 'cli', 'main.ts');
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
} else {
  await import(pathToFileURL(join(root, 'dist', 'cli', 'main.js')).href);
}
