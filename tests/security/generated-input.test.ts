// Property-based: for every operation in openapi.json, thousands of generated bad and edge-case
// requests (bodies, headers, paths, queries, encodings, methods), each a valid request spoiled in one
// to three ways. Whatever is sent: never a 5xx, always a documented status and the documented JSON
// error shape, and a refused request writes no row and queues no job. Requests go out in concurrent
// batches; rows and jobs are counted around every batch, around each operation's run and around the
// whole file, and must have grown by exactly what the successful answers in it account for.
//
// Each run draws a new seed and prints it (at the start and in any failure); reproduce a failure with
// it: CHRONOS_FUZZ_SEED=<seed> npm test -- tests/security/generated-input
// Run longer with CHRONOS_FUZZ_REQUESTS=100000; see what the answers were with CHRONOS_FUZZ_STATS=1.
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { createFuzzWorld, type FuzzWorld } from './support/fuzz-world.js';
import { documentedOperations, operationReached } from './support/openapi-operations.js';
import { describeRequest, generatedRequests, requestTarget, sendGenerated, type GeneratedRequest } from './support/generated-requests.js';
import { responseProblems } from './support/response-checks.js';
import { countWrites, difference, NO_WRITES, sum, writesAllowed, type WriteCounts } from './support/write-counts.js';
import type { Response } from 'supertest';

// A new seed each run, so that every run explores other inputs; printed at the start and in every
// failure, and taken from CHRONOS_FUZZ_SEED to replay a run exactly.
const SEED = fuzzSeed(process.env.CHRONOS_FUZZ_SEED);
function fuzzSeed(given: string | undefined): number {
  if (given === undefined || given === '') return randomInt(0, 2 ** 31);
  if (!/^-?\d+$/.test(given.trim())) throw new Error(`CHRONOS_FUZZ_SEED must be an integer, got ${JSON.stringify(given)}`);
  return Number(given);
}
process.stdout.write(`[fuzz] seed ${SEED} (replay: CHRONOS_FUZZ_SEED=${SEED} npm test -- tests/security/generated-input)\n`);
const TOTAL_REQUESTS = Number(process.env.CHRONOS_FUZZ_REQUESTS ?? 10_500);
const BATCH = 8;

const operations = documentedOperations();
// Token requests that get as far as the secret check cost one scrypt (tens of ms) by design, so that
// operation gets a smaller share; the others make up the total.
const SHARE: Record<string, number> = { createToken: 0.4 };
const weightOf = (operationId: string) => SHARE[operationId] ?? 1;
const totalWeight = operations.reduce((s, op) => s + weightOf(op.operationId), 0);
const batchesFor = (operationId: string) => Math.ceil((TOTAL_REQUESTS * weightOf(operationId)) / totalWeight / BATCH);

let world: FuzzWorld;
let sent = 0;
let runStart: WriteCounts;
/** What the successes of the whole file may have written; undefined once an operation unknown to write-counts.ts succeeded. */
let allowedInRun: WriteCounts | undefined = NO_WRITES;
beforeAll(async () => {
  world = await createFuzzWorld();
  runStart = await countWrites(world.t.ctx.db);
}, 120_000);
afterAll(() => world?.close());
/** How often each (operation, status, code) came back: CHRONOS_FUZZ_STATS=1 prints it, to see what the generators reach. */
const outcomes = new Map<string, number>();
afterAll(() => {
  if (process.env.CHRONOS_FUZZ_STATS)
    console.log(
      [...outcomes]
        .sort()
        .map(([k, n]) => `${k}: ${n}`)
        .join('\n'),
    );
});

const addUp = (a: WriteCounts | undefined, b: WriteCounts | undefined) => (a && b ? sum(a, b) : undefined);

/** Checks each answer; returns what the batch's successes may have written. */
function checkAnswers(batch: GeneratedRequest[], responses: Response[]): WriteCounts | undefined {
  let allowed: WriteCounts | undefined = NO_WRITES;
  batch.forEach((generated, i) => {
    const reached = operationReached(operations, generated.method, requestTarget(generated));
    const key = Object.entries(generated.headers).find(([name]) => name.toLowerCase() === 'x-idempotency-key')?.[1];
    allowed = addUp(allowed, reached ? writesAllowed(reached.operationId, responses[i], typeof key === 'string') : NO_WRITES);
    const problems = responseProblems(reached, responses[i]);
    const outcome = `${reached?.operationId ?? '(no operation)'} ${responses[i].status} ${responses[i].body?.code ?? ''}`;
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    if (problems.length) throw new Error(`${describeRequest(generated)}\n  → ${problems.join('\n  → ')}\n  (seed ${SEED})`);
  });
  return allowed;
}

describe.each(operations.map((op) => [`${op.method.toUpperCase()} ${op.path} (${op.operationId})`, op] as const))('%s', (_name, op) => {
  it('answers generated bad input with a documented status and JSON error shape, never a 5xx, and writes nothing when it refuses', async () => {
    const db = world.t.ctx.db;
    const otherMethods = ['get', 'post', 'put', 'patch', 'delete'].filter((m) => m !== op.method);
    const requests = generatedRequests(op, world.validRequest(op), { authorizations: world.authorizations, otherMethods });
    const start = await countWrites(db);
    let allowedInOperation: WriteCounts | undefined = NO_WRITES;

    await fc.assert(
      fc.asyncProperty(fc.array(requests, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const before = await countWrites(db);
        const responses = await Promise.all(batch.map((generated) => sendGenerated(world.origin, generated)));
        sent += batch.length;
        const written = difference(await countWrites(db), before);
        const allowed = checkAnswers(batch, responses);
        allowedInOperation = addUp(allowedInOperation, allowed);
        allowedInRun = addUp(allowedInRun, allowed);
        if (allowed && JSON.stringify(written) !== JSON.stringify(allowed)) {
          const requests = batch.map((generated, i) => `${responses[i].status} ← ${describeRequest(generated)}`).join('\n');
          throw new Error(`the batch wrote ${JSON.stringify(written)}; its answers allow ${JSON.stringify(allowed)}:\n${requests}\n(seed ${SEED})`);
        }
      }),
      { seed: SEED, numRuns: batchesFor(op.operationId), endOnFailure: true },
    );

    // The seed rides along so that a failure here names it too.
    if (allowedInOperation) expect({ seed: SEED, written: difference(await countWrites(db), start) }).toEqual({ seed: SEED, written: allowedInOperation });
  }, 300_000);
});

it(`sent at least ${Math.min(TOTAL_REQUESTS, 10_000)} generated requests in all, and nothing was written beyond what the successes account for`, async () => {
  expect(sent).toBeGreaterThanOrEqual(Math.min(TOTAL_REQUESTS, 10_000));
  if (allowedInRun) expect({ seed: SEED, written: difference(await countWrites(world.t.ctx.db), runStart) }).toEqual({ seed: SEED, written: allowedInRun });
});
