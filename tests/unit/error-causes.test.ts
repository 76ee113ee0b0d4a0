// The one walk over an error's cause chain (src/error-causes.ts): outermost first, bounded, and safe
// on the chains nobody meant to build (cycles, non-Error causes).
import { MAX_CAUSE_DEPTH, causesOf, findCause } from '../../src/error-causes.js';

const root = { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' };
const middle = new Error('fetch failed', { cause: root });
const outer = new Error('query failed', { cause: middle });

describe('walking an error cause chain', () => {
  it.each<[string, unknown, unknown[]]>([
    ['an error with two causes, outermost first', outer, [outer, middle, root]],
    ['an error without a cause', middle.cause, [root]],
    ['a thrown string', 'boom', ['boom']],
    ['nothing thrown', undefined, []],
    ['null', null, []],
  ])('yields %s', (_case, error, links) => {
    expect(causesOf(error)).toEqual(links);
  });

  it('stops at a cycle, each link once', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(causesOf(b)).toEqual([b, a]);
  });

  it('stops at the depth limit, by default and when given', () => {
    let deep: unknown = new Error('bottom');
    for (let i = 0; i < 100; i++) deep = new Error(`level ${i}`, { cause: deep });
    expect(causesOf(deep)).toHaveLength(MAX_CAUSE_DEPTH);
    expect(causesOf(deep, 5)).toHaveLength(5);
  });

  it('finds the outermost link that matches, wherever it sits', () => {
    const hasCode = (e: unknown): e is { code: string } => typeof (e as { code?: unknown }).code === 'string';
    expect(findCause(outer, hasCode)?.code).toBe('ECONNREFUSED');
    expect(findCause(outer, (e) => e instanceof Error)).toBe(outer);
    expect(findCause(outer, hasCode, 2)).toBeUndefined();
    expect(findCause(new Error('plain'), hasCode)).toBeUndefined();
  });
});
