// Arbitraries for the values a careless or hostile caller sends: wrong types, edge-case numbers and
// strings, unicode, prototype-pollution keys, huge and deeply nested values, odd headers and paths.
import fc from 'fast-check';
import { JsonLiteral, JsonObject, type JsonValue } from './json-text.js';

/** Number literals JSON.parse reads lossily or surprisingly (beyond 2^53, exponents, -0, overflow to Infinity). */
export const numberLiterals = fc
  .constantFrom(
    '9007199254740993',
    '-9007199254740993',
    '18446744073709551616',
    '1e400',
    '-1e400',
    '1e-400',
    '1E18',
    '1e+18',
    '-0',
    '0',
    '-1',
    '0.1',
    '1.5',
    '1.000000000000000000001',
    '0.0000001',
    '1' + '0'.repeat(80),
  )
  .map((text) => new JsonLiteral(text));

/** Strings that look almost right to the handlers: amounts, addresses, hex, ids, and injection classics. */
export const nearlyValidStrings = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '0',
    '1',
    '-1',
    '+1',
    '1.',
    '.5',
    '1e3',
    '0x10',
    '00001',
    '1,5',
    '1_000',
    '0.000000000000000001',
    '1.0000000000000000001',
    '115792089237316195423570985008687907853269984665640564039457584007913129639936',
    'NaN',
    'Infinity',
    'null',
    'true',
    'undefined',
    '[object Object]',
    '0x000000000000000000000000000000000000dEaD',
    '0x000000000000000000000000000000000000DEAD',
    '0x0000000000000000000000000000000000000000',
    '0x' + 'g'.repeat(40),
    '0x' + '1'.repeat(130),
    '0x' + '1'.repeat(128),
    '0x' + 'a'.repeat(64),
    '0X' + 'a'.repeat(64),
    'tx_',
    'del_',
    'receipt-1',
    'a'.repeat(256),
    'a'.repeat(257),
    'ü',
    'a b',
    'a\tb',
    'a\nb',
    'a\r\nX-Injected: 1',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    "' or 1=1 --",
    '${7*7}',
    '{{7*7}}',
    '%00',
    '\u0000',
    '\ufeff',
    '\u202e',
    '\ud800',
  ),
  fc.stringMatching(/^0x[0-9a-fA-F]{0,140}$/),
  fc.stringMatching(/^-?\d{0,80}(\.\d{0,25})?$/),
  fc.stringMatching(/^[A-Za-z0-9_-]{0,300}$/),
);

const unicodeStrings = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }), // any code point, lone surrogates included
  fc.string({ unit: 'grapheme', maxLength: 20 }),
);

const hugeStrings = fc
  .tuple(fc.integer({ min: 257, max: 70_000 }), fc.constantFrom('a', 'é', '😀', '\u0000', '"', '\\'))
  .map(([length, c]) => c.repeat(Math.ceil(length / c.length)));

/**
 * Nesting far beyond what any handler expects: just past the 32 levels Chronos accepts, and thousands
 * of levels deep (still under 64 KiB), where recursive code overflows the stack (from about 4,000).
 */
export const deeplyNested = fc
  .oneof(
    fc.integer({ min: 30, max: 40 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
    fc.integer({ min: 4_000, max: 30_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
    fc.integer({ min: 4_000, max: 12_000 }).map((depth) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth)),
  )
  .map((text) => new JsonLiteral(text));

export const pollutingKeys = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '',
  '$where',
  '__defineGetter__',
);

const keys = fc.oneof(pollutingKeys, fc.string({ unit: 'binary', maxLength: 12 }));

export const anyJsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    numberLiterals,
    nearlyValidStrings,
    unicodeStrings,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(keys, tie('value')), { maxLength: 4 }).map((entries) => new JsonObject(entries)),
  ),
})).value;

/** A value for a body field, rarely huge or deeply nested (those are slow and mostly end at the size limit). */
export const fieldValues: fc.Arbitrary<JsonValue> = fc.oneof(
  { arbitrary: anyJsonValue, weight: 12 },
  { arbitrary: hugeStrings, weight: 1 },
  { arbitrary: deeplyNested, weight: 2 },
);

export { keys as bodyKeys };

// Node's HTTP client sends header values made of tab, 0x20-0x7e and 0x80-0xff (as latin1 bytes)
// only; CR, LF and NUL are tested on a raw socket instead (header-injection.test.ts).
const printable = fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c));
const latin1 = fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c));
const sendableChar = fc.oneof({ arbitrary: printable, weight: 6 }, { arbitrary: latin1, weight: 2 }, { arbitrary: fc.constant('\t'), weight: 1 });

/** UTF-8 bytes of arbitrary text, as the latin1 string Node's client writes byte for byte. */
const utf8AsLatin1 = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map((s) => Buffer.from(s, 'utf8').toString('latin1'));

export const headerValues = fc.oneof(
  fc.constantFrom('', ' ', '\t', 'a\tb', ' a', 'a ', 'a, b', 'a'.repeat(256), 'a'.repeat(257), '0', 'null', '__proto__', '%0d%0aX-Injected: 1', 'caf\xe9'),
  fc.string({ unit: printable, maxLength: 300 }),
  fc.string({ unit: sendableChar, maxLength: 300 }),
  utf8AsLatin1,
  // Beyond Node's 16 KiB header limit the server itself answers (431, see src/http/malformed-requests.ts).
  fc.integer({ min: 257, max: 20_000 }).map((n) => 'u'.repeat(n)),
);

/** Path segments, already percent-encoded as they go on the request line (some deliberately malformed). */
export const pathSegments = fc.oneof(
  fc.constantFrom(
    '',
    'tx_',
    'TX_01ABC',
    `tx_${'a'.repeat(29)}`,
    `tx_${'a'.repeat(30)}`,
    `tx_${'a'.repeat(5000)}`,
    'tx_%00',
    '%',
    '%zz',
    '%E0%A4%A',
    '%2e%2e',
    '%2F',
    'tx_a%2Fb',
    `del_${'0'.repeat(26)}`,
    `del_${'Z'.repeat(26)}`,
    '__proto__',
    'constructor',
    'null',
    '%F0%9F%98%80',
    '%C0%AF',
  ),
  fc.stringMatching(/^tx_[0-9a-z]{0,40}$/),
  fc.stringMatching(/^del_[0-9a-z]{20,30}$/),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
);

const queryValues = fc.oneof(
  fc.constantFrom(
    '0',
    '1',
    '20',
    '100',
    '101',
    '-1',
    '1.5',
    '1e2',
    '0x10',
    ' 5',
    'abc',
    '',
    'Infinity',
    'NaN',
    '99999999999999999999',
    'PENDING',
    'DELIVERED',
    'pending',
    'transaction.confirmed',
    'webhook.test',
    'x'.repeat(3000),
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  // Cursors: opaque base64url of "<ms>.<id>"; these are well-encoded but wrong inside, or not base64url at all.
  fc
    .tuple(fc.stringMatching(/^-?\d{0,18}(\.\d{0,3})?$/), fc.stringMatching(/^(del_)?[0-9a-zA-Z]{0,30}$/))
    .map(([ms, id]) => Buffer.from(`${ms}.${id}`).toString('base64url')),
  fc.base64String({ maxLength: 80 }),
);

/** One `key=value` part of a query string, or a malformed part sent as is. */
export function queryParts(knownNames: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .tuple(
        fc.oneof(fc.constantFrom(...knownNames, 'unknown', 'a[b]', 'limit[]', '__proto__', 'constructor[prototype]'), fc.string({ maxLength: 8 })),
        queryValues,
      )
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
    fc.constantFrom('limit', 'limit=', '=1', '&', '%', 'limit=%', 'limit=1&limit=2', 'cursor=%ZZ', 'status=FAILED&status=PENDING', '__proto__[x]=1'),
  );
}
