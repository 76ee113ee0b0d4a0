import { createGroupCommit, type ItemOutcome } from '../../src/db/group-commit.js';

/** A batch runner whose batches finish only when the test says so. */
function controlledRunner() {
  const batches: { items: number[]; finish(outcomes?: ItemOutcome<string>[]): void; fail(error: Error): void }[] = [];
  const run = (items: number[]) =>
    new Promise<ItemOutcome<string>[]>((resolve, reject) => {
      batches.push({ items, finish: (outcomes) => resolve(outcomes ?? items.map((n) => ({ value: `done ${n}` }))), fail: reject });
    });
  return { batches, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('sends a lone item at once, and the items arriving meanwhile together in the next batch', async () => {
    const { batches, run } = controlledRunner();
    const commit = createGroupCommit(run, { maxInFlight: 1 });
    const first = commit.submit(1);
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    const later = [2, 3, 4].map((n) => commit.submit(n));
    await tick();
    expect(batches).toHaveLength(1);
    expect(commit.pending()).toBe(4);
    batches[0].finish();
    expect(await first).toBe('done 1');
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    batches[1].finish();
    expect(await Promise.all(later)).toEqual(['done 2', 'done 3', 'done 4']);
    expect(commit.pending()).toBe(0);
  });

  it('runs up to maxInFlight batches at once and splits at maxBatch', async () => {
    const { batches, run } = controlledRunner();
    const commit = createGroupCommit(run, { maxInFlight: 2, maxBatch: 2 });
    const all = [1, 2, 3, 4, 5, 6].map((n) => commit.submit(n));
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
    batches[1].finish();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3, 4]]);
    batches[0].finish();
    await tick();
    batches[2].finish();
    await tick();
    expect(batches.map((b) => b.items)).toEqual([[1], [2], [3, 4], [5, 6]]);
    batches[3].finish();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5, 6].map((n) => `done ${n}`));
  });

  it('gives each item its own outcome, fails a whole batch that throws, and carries on after it', async () => {
    const { batches, run } = controlledRunner();
    const commit = createGroupCommit(run, { maxInFlight: 1 });
    const a = commit.submit(1);
    await tick();
    const [b, c] = [commit.submit(2), commit.submit(3)];
    batches[0].fail(new Error('database gone'));
    await expect(a).rejects.toThrow('database gone');
    await tick();
    batches[1].finish([{ value: 'ok' }, { error: new Error('refused') }]);
    expect(await b).toBe('ok');
    await expect(c).rejects.toThrow('refused');
    const d = commit.submit(4);
    await tick();
    batches[2].finish();
    expect(await d).toBe('done 4');
  });

  it('fails the items of a runner that throws synchronously instead of throwing at the caller', async () => {
    const commit = createGroupCommit<number, string>(() => {
      throw new Error('sync');
    });
    await expect(commit.submit(1)).rejects.toThrow('sync');
  });
});
