// A request as plain data (so fast-check can generate and print it), the mutations that turn a valid
// request into a bad one, and sending it over HTTP byte for byte.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import request, { type Response } from 'supertest';
import { abbreviate, JsonObject, jsonText, type JsonValue } from './json-text.js';
import { anyJsonValue, bodyKeys, deeplyNested, fieldValues, headerValues, pathSegments, pollutingKeys, queryParts } from './bad-values.js';
import type { DocumentedOperation } from './openapi-operations.js';
import { MAX_BODY_BYTES } from '../../../src/http/app.js';

export type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: JsonValue }
  /** Sent byte for byte: malformed JSON, invalid UTF-8. */
  | { kind: 'bytes'; bytes: Buffer };

export type Encoding = 'gzip' | 'deflate' | 'br' | 'identity' | 'zstd' | 'gzip-of-garbage' | 'gzip-bomb';

export type GeneratedRequest = {
  method: string;
  /** The OpenAPI path template; `pathValues` fill it, already percent-encoded. */
  path: string;
  pathValues: Record<string, string>;
  query: string[];
  headers: Record<string, string | string[]>;
  body: Body;
  encoding?: Encoding;
  /** What was changed from the valid base request, for the failure report. */
  changes: string[];
};

type Mutation = (r: GeneratedRequest) => GeneratedRequest;
const named =
  (change: string, apply: (r: GeneratedRequest) => Partial<GeneratedRequest>): Mutation =>
  (r) => ({ ...r, ...apply(r), changes: [...r.changes, change] });

const show = (v: unknown) =>
  abbreviate(
    typeof v === 'string'
      ? JSON.stringify(v)
      : v instanceof Buffer
        ? `<${v.length} bytes>`
        : String(v instanceof Object && !Array.isArray(v) ? v : JSON.stringify(v)),
  );

const baseObject = (r: GeneratedRequest) => (r.body.kind === 'json' && r.body.value instanceof JsonObject ? r.body.value : new JsonObject([]));

function bodyMutations(base: GeneratedRequest): fc.Arbitrary<Mutation> {
  const fields = baseObject(base).keys();
  const field = fields.length ? fc.oneof(fc.constantFrom(...fields), bodyKeys) : bodyKeys;
  const validText = base.body.kind === 'json' ? jsonText(base.body.value) : '{}';
  const json = (value: JsonValue): Body => ({ kind: 'json', value });
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(field, fieldValues)
        .map(([key, value]) => named(`body.${key} = ${show(value)}`, (r) => ({ body: json(baseObject(r).with(key, value)) }))),
    },
    {
      weight: fields.length ? 2 : 0,
      arbitrary: fc
        .subarray(fields, { minLength: Math.min(1, fields.length) })
        .map((keys) => named(`body without ${keys.join(', ')}`, (r) => ({ body: json(baseObject(r).without(keys)) }))),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(pollutingKeys, anyJsonValue)
        .map(([key, value]) => named(`body gains ${key} = ${show(value)}`, (r) => ({ body: json(new JsonObject([...baseObject(r).entries, [key, value]])) }))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...(fields.length ? fields : ['a'])), fieldValues)
        .map(([key, value]) =>
          named(`body repeats ${key} = ${show(value)}`, (r) => ({ body: json(new JsonObject([...baseObject(r).entries, [key, value]])) })),
        ),
    },
    { weight: 2, arbitrary: fc.oneof(anyJsonValue, deeplyNested).map((value) => named(`body is ${show(value)}`, () => ({ body: json(value) }))) },
    {
      weight: 2,
      arbitrary: malformedJson(validText).map((bytes) => named(`body bytes ${show(bytes.toString('latin1'))}`, () => ({ body: { kind: 'bytes', bytes } }))),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(-1, 0, 1)
        .map((delta) => named(`body of ${MAX_BODY_BYTES + delta} bytes`, (r) => ({ body: paddedTo(baseObject(r), MAX_BODY_BYTES + delta) }))),
    },
    { weight: 1, arbitrary: fc.constant(named('no body', () => ({ body: { kind: 'none' } }))) },
  );
}

function malformedJson(validText: string): fc.Arbitrary<Buffer> {
  const text = fc
    .oneof(
      fc.integer({ min: 0, max: Math.max(0, validText.length - 1) }).map((n) => validText.slice(0, n)),
      fc.constantFrom(
        `\ufeff${validText}`,
        `${validText}garbage`,
        `${validText}${validText}`,
        "{'a':1}",
        '{a:1}',
        '{"a":1,}',
        '[1,]',
        'NaN',
        '{"a":NaN}',
        '{"a":Infinity}',
        '{"a":undefined}',
        '/* c */{}',
        '{"a":1}//',
        '\u0000',
        '',
        ' ',
        'null',
        'true',
        '1',
        '"str"',
        '[]',
        '{}',
        '{"a":"\\u12"}',
        '{"a":"\\x41"}',
        '{"a":01}',
        '{"a":.5}',
        '{"a":+1}',
        '{"a":1e}',
        '{"a":-}',
        '{"a":"bbb}',
      ),
      fc.string({ unit: 'binary', maxLength: 50 }),
    )
    .map((s) => Buffer.from(s, 'utf8'));
  const invalidUtf8 = fc.uint8Array({ minLength: 1, maxLength: 64 }).map((a) => Buffer.from(a));
  return fc.oneof({ weight: 4, arbitrary: text }, { weight: 1, arbitrary: invalidUtf8 });
}

/** The base body plus one padding field, `bytes` long in total: just under, at and over the limit. */
function paddedTo(object: JsonObject, bytes: number): Body {
  const overhead = Buffer.byteLength(jsonText(object.with('padding', '')));
  return { kind: 'json', value: object.with('padding', 'p'.repeat(Math.max(0, bytes - overhead))) };
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json; charset=latin1',
  'application/json; charset=iso-8859-1',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'application/json;charset="utf-8"',
  'APPLICATION/JSON',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'application/jsonx',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '*/*',
  ';',
];

function headerMutations(op: DocumentedOperation): fc.Arbitrary<Mutation> {
  const declared = op.parameters.filter((p) => p.in === 'header').map((p) => p.name);
  const names = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...new Set([...declared, 'X-User-Id', 'X-Idempotency-Key'])) },
    { weight: 1, arbitrary: fc.constantFrom('X-Request-Id', 'X-HTTP-Method-Override', 'X-Forwarded-For', 'Accept', 'Origin') },
    { weight: 1, arbitrary: fc.stringMatching(/^X-[A-Za-z0-9-]{1,20}$/) },
  );
  const value = fc.oneof(
    { weight: 8, arbitrary: headerValues.map((v): string | string[] | undefined => v) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    // The same header twice: Node joins most with ", " unless the application reads them apart.
    { weight: 2, arbitrary: fc.tuple(headerValues, headerValues).map(([a, b]) => [a, b]) },
    { weight: 1, arbitrary: fc.constantFrom('gen-key-1', 'gen-key-2') },
  );
  return fc.tuple(names, value).map(([name, v]) =>
    named(`header ${name}: ${show(v)}`, (r) => {
      const headers = withoutHeader(r.headers, name);
      return { headers: v === undefined ? headers : { ...headers, [name]: v } };
    }),
  );
}

function withoutHeader(headers: GeneratedRequest['headers'], name: string): GeneratedRequest['headers'] {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== name.toLowerCase()));
}

export type GenerationContext = { authorizations: fc.Arbitrary<string | string[] | undefined>; otherMethods: string[] };

export function generatedRequests(
  op: DocumentedOperation,
  base: GeneratedRequest,
  { authorizations, otherMethods }: GenerationContext,
): fc.Arbitrary<GeneratedRequest> {
  const pathNames = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
  const queryNames = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
  const setHeader = (name: string, change: string, v: string | string[] | undefined) =>
    named(change, (r) => ({ headers: v === undefined ? withoutHeader(r.headers, name) : { ...withoutHeader(r.headers, name), [name]: v } }));
  const mutations: { weight: number; arbitrary: fc.Arbitrary<Mutation> }[] = [
    { weight: op.bodySchema ? 8 : 2, arbitrary: bodyMutations(base) },
    { weight: 5, arbitrary: headerMutations(op) },
    { weight: 2, arbitrary: authorizations.map((v) => setHeader('Authorization', `Authorization: ${show(v)}`, v)) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(fc.constantFrom(...CONTENT_TYPES), headerValues, fc.constant(undefined))
        .map((v) => setHeader('Content-Type', `Content-Type: ${show(v)}`, v)),
    },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom<Encoding>('gzip', 'deflate', 'br', 'identity', 'zstd', 'gzip-of-garbage', 'gzip-bomb')
        .map((e) => named(`Content-Encoding: ${e}`, () => ({ encoding: e }))),
    },
    {
      weight: queryNames.length ? 4 : 1,
      arbitrary: fc
        .array(queryParts(queryNames), { minLength: 1, maxLength: 4 })
        .map((parts) => named(`query ${show(parts.join('&'))}`, () => ({ query: parts }))),
    },
    { weight: 1, arbitrary: fc.constantFrom(...otherMethods).map((method) => named(`method ${method.toUpperCase()}`, () => ({ method }))) },
  ];
  if (pathNames.length) {
    mutations.push({
      weight: 5,
      arbitrary: fc
        .tuple(fc.constantFrom(...pathNames), pathSegments)
        .map(([name, v]) => named(`path ${name} = ${show(v)}`, (r) => ({ pathValues: { ...r.pathValues, [name]: v } }))),
    });
  }
  // Half the requests to operations that take one carry a fresh idempotency key, so the key's own
  // handling (the request fingerprint) sees every kind of spoiled body too.
  const takesKey = op.parameters.some((p) => p.in === 'header' && p.name.toLowerCase() === 'x-idempotency-key');
  const keyed = takesKey ? fc.option(fc.uuid(), { freq: 2 }) : fc.constant(null);
  return fc
    .tuple(keyed, fc.array(fc.oneof(...mutations), { minLength: 1, maxLength: 3 }))
    .map(([key, ms]) => ms.reduce((r, m) => m(r), key === null ? base : setHeader('X-Idempotency-Key', `X-Idempotency-Key: ${key}`, key)(base)));
}

function bodyBytes(body: Body): Buffer | undefined {
  if (body.kind === 'none') return undefined;
  return body.kind === 'bytes' ? body.bytes : Buffer.from(jsonText(body.value), 'utf8');
}

function encoded(bytes: Buffer | undefined, encoding: Encoding | undefined): { bytes?: Buffer; header?: string } {
  switch (encoding) {
    case undefined:
      return { bytes };
    case 'gzip':
      return { bytes: gzipSync(bytes ?? Buffer.alloc(0)), header: 'gzip' };
    case 'deflate':
      return { bytes: deflateSync(bytes ?? Buffer.alloc(0)), header: 'deflate' };
    case 'br':
      return { bytes: brotliCompressSync(bytes ?? Buffer.alloc(0)), header: 'br' };
    case 'identity':
      return { bytes, header: 'identity' };
    case 'zstd':
      return { bytes, header: 'zstd' };
    case 'gzip-of-garbage':
      return { bytes: bytes ?? Buffer.from('{}'), header: 'gzip' };
    // A few KiB that inflate to 4 MiB: the limit must apply to what is inflated, not to what was sent.
    case 'gzip-bomb':
      return { bytes: gzipBomb(), header: 'gzip' };
  }
}

let bomb: Buffer | undefined;
const gzipBomb = () => (bomb ??= gzipSync(Buffer.from(`{"a":"${'a'.repeat(4 * 1024 * 1024)}"}`)));

export function requestTarget(r: GeneratedRequest): string {
  const path = r.path.replace(/\{(\w+)\}/g, (_, name: string) => r.pathValues[name] ?? 'x');
  return r.query.length ? `${path}?${r.query.join('&')}` : path;
}

export async function sendGenerated(origin: string, r: GeneratedRequest): Promise<Response> {
  let req = (request(origin) as unknown as Record<string, (url: string) => request.Test>)[r.method](requestTarget(r));
  for (const [name, value] of Object.entries(r.headers)) req = req.set(name, value as string);
  const { bytes, header } = encoded(bodyBytes(r.body), r.encoding);
  if (header) req = req.set('Content-Encoding', header);
  // Sent byte for byte: superagent would JSON-encode a Buffer under a JSON Content-Type, and gives a
  // Buffer no Content-Type of its own (so only the one the request sets, if any, goes out).
  if (bytes) req = req.serialize((body: unknown) => body as string).send(bytes);
  return req;
}

export function describeRequest(r: GeneratedRequest): string {
  const headers = Object.entries(r.headers)
    .map(([k, v]) => `${k}: ${show(v)}`)
    .join('; ');
  return `${r.method.toUpperCase()} ${abbreviate(requestTarget(r))} [${headers}]${r.encoding ? ` (Content-Encoding ${r.encoding})` : ''}\n  changes: ${r.changes.join(' | ')}`;
}
