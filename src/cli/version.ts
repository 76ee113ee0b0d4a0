import { readFileSync } from 'node:fs';

/** package.json's version; read from two levels up, which is the package root from src/cli and dist/cli alike. */
export function chronosVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}
