// Errors wrap what caused them (`new Error(…, { cause })`, viem's BaseError, pg's and fetch's errors):
// what a classifier looks for can sit at any depth of that chain. This is the one walk over it,
// bounded, so a cyclic or absurdly deep chain cannot hang whoever classifies it.

/** How deep a chain is followed by default: real ones are a handful of links. */
export const MAX_CAUSE_DEPTH = 20;

/** The error and each of its causes, outermost first: at most `limit` links, each object once. */
export function causesOf(error: unknown, limit = MAX_CAUSE_DEPTH): unknown[] {
  const links: unknown[] = [];
  const seen = new Set<unknown>();
  for (let e = error; e !== undefined && e !== null && links.length < limit && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    links.push(e);
  }
  return links;
}

/** The outermost link of the chain that matches, if any. */
export function findCause<T>(error: unknown, predicate: (link: unknown) => link is T, limit?: number): T | undefined;
export function findCause(error: unknown, predicate: (link: unknown) => boolean, limit?: number): unknown;
export function findCause(error: unknown, predicate: (link: unknown) => boolean, limit?: number): unknown {
  return causesOf(error, limit).find(predicate);
}
