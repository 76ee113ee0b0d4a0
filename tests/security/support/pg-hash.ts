// Postgres's hashtextextended(text, 0) (Bob Jenkins' lookup3, src/common/hashfn.c, little-endian), and
// what an attacker does with it: the hash is not cryptographic and its last rounds are invertible, so
// a text with a chosen 64-bit hash is found in well under a second by running them backwards from the
// target and keeping a last 12-byte block that happens to be printable ASCII.

const rot = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;
type State = [number, number, number];

function mix([a, b, c]: State): State {
  a = (a - c) >>> 0;
  a = (a ^ rot(c, 4)) >>> 0;
  c = (c + b) >>> 0;
  b = (b - a) >>> 0;
  b = (b ^ rot(a, 6)) >>> 0;
  a = (a + c) >>> 0;
  c = (c - b) >>> 0;
  c = (c ^ rot(b, 8)) >>> 0;
  b = (b + a) >>> 0;
  a = (a - c) >>> 0;
  a = (a ^ rot(c, 16)) >>> 0;
  c = (c + b) >>> 0;
  b = (b - a) >>> 0;
  b = (b ^ rot(a, 19)) >>> 0;
  a = (a + c) >>> 0;
  c = (c - b) >>> 0;
  c = (c ^ rot(b, 4)) >>> 0;
  b = (b + a) >>> 0;
  return [a, b, c];
}

function unmix([a, b, c]: State): State {
  b = (b - a) >>> 0;
  c = (c ^ rot(b, 4)) >>> 0;
  c = (c + b) >>> 0;
  a = (a - c) >>> 0;
  b = (b ^ rot(a, 19)) >>> 0;
  b = (b + a) >>> 0;
  c = (c - b) >>> 0;
  a = (a ^ rot(c, 16)) >>> 0;
  a = (a + c) >>> 0;
  b = (b - a) >>> 0;
  c = (c ^ rot(b, 8)) >>> 0;
  c = (c + b) >>> 0;
  a = (a - c) >>> 0;
  b = (b ^ rot(a, 6)) >>> 0;
  b = (b + a) >>> 0;
  c = (c - b) >>> 0;
  a = (a ^ rot(c, 4)) >>> 0;
  a = (a + c) >>> 0;
  return [a, b, c];
}

function final([a, b, c]: State): State {
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 14)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rot(c, 11)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rot(a, 25)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 16)) >>> 0;
  a = (a ^ c) >>> 0;
  a = (a - rot(c, 4)) >>> 0;
  b = (b ^ a) >>> 0;
  b = (b - rot(a, 14)) >>> 0;
  c = (c ^ b) >>> 0;
  c = (c - rot(b, 24)) >>> 0;
  return [a, b, c];
}

function unfinal([a, b, c]: State): State {
  c = (c + rot(b, 24)) >>> 0;
  c = (c ^ b) >>> 0;
  b = (b + rot(a, 14)) >>> 0;
  b = (b ^ a) >>> 0;
  a = (a + rot(c, 4)) >>> 0;
  a = (a ^ c) >>> 0;
  c = (c + rot(b, 16)) >>> 0;
  c = (c ^ b) >>> 0;
  b = (b + rot(a, 25)) >>> 0;
  b = (b ^ a) >>> 0;
  a = (a + rot(c, 11)) >>> 0;
  a = (a ^ c) >>> 0;
  c = (c + rot(b, 14)) >>> 0;
  c = (c ^ b) >>> 0;
  return [a, b, c];
}

const word = (bytes: Uint8Array, at: number) => (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;

/** The state after the whole 12-byte blocks of `bytes` (a multiple of 12 long) of a `totalLength`-byte text. */
function stateAfterBlocks(bytes: Uint8Array, totalLength: number): State {
  const init = (0x9e3779b9 + totalLength + 3923095) >>> 0;
  let s: State = [init, init, init];
  for (let at = 0; at < bytes.length; at += 12) {
    s = mix([(s[0] + word(bytes, at)) >>> 0, (s[1] + word(bytes, at + 4)) >>> 0, (s[2] + word(bytes, at + 8)) >>> 0]);
  }
  return s;
}

/** hashtextextended(text, 0) for a text whose length is a multiple of 12 (all this file needs). */
export function hashTextExtended(text: string): bigint {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length % 12 !== 0) throw new Error('only lengths that are multiples of 12');
  const [, b, c] = final(stateAfterBlocks(bytes, bytes.length));
  return BigInt.asIntN(64, (BigInt(b) << 32n) | BigInt(c));
}

/**
 * A suffix, printable ASCII, such that hashtextextended(prefix + suffix, 0) equals `target`: padding to
 * a block boundary, then one 12-byte block computed backwards from the target.
 */
export function craftSuffixHashingTo(prefix: string, target: bigint): string {
  const prefixBytes = Buffer.from(prefix, 'utf8');
  const padding = 'p'.repeat((12 - ((prefixBytes.length + 12) % 12)) % 12);
  const head = Buffer.concat([prefixBytes, Buffer.from(padding)]);
  const totalLength = head.length + 12;
  const before = stateAfterBlocks(head, totalLength);
  const unsigned = BigInt.asUintN(64, target);
  const b = Number(unsigned >> 32n);
  const c = Number(unsigned & 0xffffffffn);
  for (let a = 0; a < 2 ** 32; a++) {
    // Any first word of the final state will do: only b and c are reported.
    const preMix = unmix(unfinal([a, b, c]));
    const block = Buffer.alloc(12);
    for (let i = 0; i < 3; i++) block.writeUInt32LE((preMix[i] - before[i]) >>> 0, i * 4);
    if (block.every((byte) => byte >= 0x21 && byte <= 0x7e)) return padding + block.toString('latin1');
  }
  throw new Error('no printable block found');
}
