// Every operation type in the registry is whole: a route and request schema in openapi.json, a token
// scope, a quota row type, and its own tests (README, Adding an operation type).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { definitionOf, operationList, operations, OPERATION_TYPES } from '../../src/operations/index.js';
import { SCOPES } from '../../src/auth/scopes.js';
import { QUOTA_OPERATION_TYPES } from '../../src/policy/quota.js';
import { routes } from '../../src/http/routes/index.js';

const root = join(import.meta.dirname, '..', '..');
const openapi = JSON.parse(readFileSync(join(root, 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { operationId?: string; requestBody?: { content?: Record<string, { schema?: unknown }> } }>>;
};
const documented = Object.values(openapi.paths).flatMap((methods) => Object.values(methods));

describe.each(operationList.map((definition) => [definition.type, definition] as const))('operation type %s', (type, definition) => {
  it('is registered under its own name', () => {
    expect(operations[type as keyof typeof operations]).toBe(definition);
    expect(definitionOf(type)).toBe(definition);
  });

  it('has its route in openapi.json, with a JSON request schema', () => {
    const operation = documented.find((op) => op.operationId === definition.operationId);
    expect(operation).toBeDefined();
    expect(operation?.requestBody?.content?.['application/json']?.schema).toBeDefined();
  });

  it('is served by the route file named after its operationId', () => {
    expect(existsSync(join(root, 'src', 'http', 'routes', `${definition.operationId}.ts`))).toBe(true);
    const route = routes.find((r) => r.operationId === definition.operationId);
    expect(route).toMatchObject({ operationId: definition.operationId, scope: definition.scope });
  });

  it('requires a scope a client can be given', () => {
    expect(SCOPES).toContain(definition.scope);
  });

  it('has quotas of its own', () => {
    expect(QUOTA_OPERATION_TYPES as readonly string[]).toContain(type);
  });

  it('has its own tests: its route against the stack, its definition on its own', () => {
    expect(existsSync(join(root, 'tests', 'http', `${definition.operationId}.test.ts`))).toBe(true);
    expect(existsSync(join(root, 'tests', 'operations', `${type}.test.ts`))).toBe(true);
  });
});

it('lists every type once, in the order scopes and quotas show them', () => {
  expect(OPERATION_TYPES).toEqual(operationList.map((d) => d.type));
  expect(new Set(operationList.map((d) => d.operationId)).size).toBe(operationList.length);
});

it('refuses a type this version does not know', () => {
  expect(() => definitionOf('escrow')).toThrow("unknown operation type 'escrow'");
  expect(() => definitionOf('toString')).toThrow();
});
