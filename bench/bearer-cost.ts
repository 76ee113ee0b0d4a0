// `npm run bench:bearer`: what a malformed Authorization header costs the event loop, next to an
// ordinary bad token (README "Input and security"). CPU only: no server, no database, no chain.
import { bearerTokenOf } from '../src/http/authenticate.js';
import { issueAccessToken, verifyAccessToken, type JwtConfig } from '../src/auth/access-tokens.js';

const CALLS = 100_000;
const jwt: JwtConfig = { secret: 'bench-secret-that-is-long-enough-0123456789', issuer: 'chronos', audience: 'chronos-api', ttlSeconds: 3600 };
const good = issueAccessToken(jwt, { clientId: 'client_00000000000000000000', scopes: ['wallet'] }).token;
const badSignature = `${good.slice(0, good.lastIndexOf('.') + 1)}${'A'.repeat(43)}`;

/** The Bearer regex Chronos used before: quadratic backtracking on `Bearer a.aaaa…!`. */
const OLD_BEARER = /^Bearer ([A-Za-z0-9\-_=]+\.[A-Za-z0-9\-_=]+\.?[A-Za-z0-9\-_.+/=]*)$/;

function microsPerCall(work: () => unknown, calls = CALLS): number {
  for (let i = 0; i < Math.min(calls, 1_000); i++) work(); // warm-up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) work();
  return Number(process.hrtime.bigint() - t0) / 1_000 / calls;
}

const pathological = `Bearer a.${'a'.repeat(16_000)}!`;
const nearMiss = `Bearer a.${'a'.repeat(2_000)}!`;
const rows: [string, number][] = [
  ['16 KB malformed header (Bearer a. + 16,000 a + !)', microsPerCall(() => bearerTokenOf(pathological))],
  ['2 KiB near-miss just under the length cap', microsPerCall(() => bearerTokenOf(nearMiss))],
  ['ordinary bad token (bad signature), parse + verify', microsPerCall(() => verifyAccessToken(jwt, bearerTokenOf(`Bearer ${badSignature}`)!))],
  ['the old regex on the 16 KB header', microsPerCall(() => OLD_BEARER.exec(pathological), 5)],
];
for (const [what, us] of rows) console.log(`${what.padEnd(56)} ${us < 1 ? us.toFixed(3) : us.toFixed(1)} µs per call`);
