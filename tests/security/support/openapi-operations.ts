// Every operation of openapi.json as the generators need it, read from the document itself so that an
// operation added there is fuzzed without touching the tests.
import { loadOpenApiDocument } from '../../../src/http/openapi.js';

export type Parameter = { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: Record<string, any> };

export type DocumentedOperation = {
  operationId: string;
  method: string;
  /** The OpenAPI template, e.g. `/api/v1/transactions/{transactionId}`. */
  path: string;
  parameters: Parameter[];
  /** The JSON schema of the body, when the operation takes one. */
  bodySchema?: Record<string, any>;
  secured: boolean;
  /** Explicit status codes of its responses (`default` left out). */
  statuses: number[];
};

/** Answers any operation may give to bad input: validation, auth, scope, routing, size, media type, limits. */
export const GENERIC_REFUSALS = [400, 401, 403, 404, 405, 413, 415, 429];

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export function documentedOperations(): DocumentedOperation[] {
  const doc = loadOpenApiDocument() as Record<string, any>;
  const deref = (p: Record<string, any>) =>
    p.$ref
      ? p.$ref
          .split('/')
          .slice(1)
          .reduce((o: any, k: string) => o[k], doc)
      : p;
  const operations: DocumentedOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op?.operationId) continue;
      const parameters = [...(item.parameters ?? []), ...(op.parameters ?? [])]
        .map(deref)
        .map((p) => ({ name: p.name, in: p.in, required: Boolean(p.required), schema: p.schema ?? {} }));
      operations.push({
        operationId: op.operationId,
        method,
        path,
        parameters,
        bodySchema: op.requestBody?.content?.['application/json']?.schema,
        secured: (op.security ?? doc.security ?? []).length > 0,
        statuses: Object.keys(op.responses)
          .filter((s) => /^\d{3}$/.test(s))
          .map(Number),
      });
    }
  }
  return operations;
}

/**
 * The operation a request reaches, if any: by method and by its path as the client sends it (dot
 * segments, `%2e%2e` included, are resolved by the URL parser; an empty segment matches no parameter).
 */
export function operationReached(operations: DocumentedOperation[], method: string, target: string): DocumentedOperation | undefined {
  const path = new URL(target, 'http://chronos.test').pathname;
  // Express routes are not strict: a trailing slash reaches the same operation (/transactions/ is the list).
  return operations.find((op) => op.method === method && new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+')}/?$`).test(path));
}
