import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const OPENAPI_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'openapi.json');

type Operation = { operationId?: string };
export type OpenApiDocument = { paths: Record<string, Record<string, Operation>> } & Record<string, unknown>;

let cached: OpenApiDocument | undefined;
export function loadOpenApiDocument(): OpenApiDocument {
  cached ??= JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDocument;
  return cached;
}

/** Method and Express path of an operation, taken from openapi.json so paths live in one place. */
export function findOperation(doc: OpenApiDocument, operationId: string): { method: string; path: string } {
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      if (operation.operationId === operationId) return { method, path: path.replace(/\{(\w+)\}/g, ':$1') };
    }
  }
  throw new Error(`operation ${operationId} is not in openapi.json`);
}
