// Hosted RPC providers cap eth_getLogs by block span or by result size, each in its own words and
// rarely with a code of its own (-32005 also means "rate limited" at Infura, -32600/-32602/-32000
// elsewhere). The words are all there is: a range refusal is told apart from everything else by them.
import { causesOf } from '../error-causes.js';

type Link = { message?: unknown; shortMessage?: unknown; details?: unknown };

/** Wordings seen from real providers (Alchemy, Infura, QuickNode, Ankr, Base, thirdweb, Erigon, geth, Cloudflare…). */
const RANGE_LIMIT_WORDINGS: readonly RegExp[] = [
  /block range (is )?too (large|wide|big)/i,
  /exceeds? (the )?max(imum)? block range/i,
  /block range (greater|larger) than \d/i,
  /block range limit/i,
  /range limit exceeded/i,
  /query returned more than \d+ results/i,
  /query exceeds max results/i,
  /(log )?response size (exceeded|should not be greater)/i,
  /limited to a [\d,]+ (blocks? )?range/i,
  /maximum allowed number of requested blocks/i,
  /ranges? over \d+ blocks/i,
  /limit the query to at most \d+ blocks/i,
  /too many blocks/i,
  /more than \d+ blocks/i,
  /max(imum)? (is )?\d+ blocks? (range|distance)/i,
  // -32005 "limit exceeded", but not "rate limit exceeded" (which is back-pressure, not the range).
  /(?<!rate )limit exceeded/i,
];

/** Whether a failed eth_getLogs was refused for its block span or its result size (so a narrower range may pass). */
export function isLogRangeError(error: unknown): boolean {
  const words = causesOf(error)
    .flatMap((link) => [(link as Link).shortMessage, (link as Link).details, (link as Link).message])
    .filter((w): w is string => typeof w === 'string')
    .join(' ');
  if (/rate.?limit|too many requests/i.test(words)) return false;
  return RANGE_LIMIT_WORDINGS.some((wording) => wording.test(words));
}
