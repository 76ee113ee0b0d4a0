// POST /auth/token is limited by failures, not by requests, so that nobody can lock a client out by
// knowing its clientId:
//   - per (clientId, source address), the `auth` limit (5 per 5 minutes, the client's own override
//     applies): guessing one client's secret from one address is stopped, while the client itself,
//     asking from its own address with the right secret, is not refused for someone else's failures;
//   - per source address, whatever clientId it names, the `token-failures` guard: one address cannot
//     make more than that many scrypt verifications and counter rows, so a flood of random or unknown
//     ids neither slows the others' token requests nor grows the counter table without bound;
//   - a request without a well-formed clientId is refused without any lookup, and counted per address.
// Each request is counted up front (atomically, so concurrent guesses cannot slip past the limit) and
// given back once it has succeeded.
import type { RequestHandler, Response } from 'express';
import { isClientIdShape } from '../auth/secrets.js';
import { addressSubjectOf, applyRateLimitDecision, type RateLimitDecision, type RateLimiter } from './rate-limit.js';

type CountedTokenRequest = { limiter: RateLimiter; decisions: RateLimitDecision[] };
const COUNTED = Symbol('counted token request');
type ResponseWithCount = Response & { [COUNTED]?: CountedTokenRequest };

export function rateLimitTokenRequests(limiter: RateLimiter): RequestHandler {
  return async (req, res, next) => {
    try {
      const clientId = (req.body as { clientId?: unknown } | undefined)?.clientId;
      const address = addressSubjectOf(req);
      if (!isClientIdShape(clientId)) {
        await applyRateLimitDecision(res, await limiter.check({ subject: address, category: 'auth' }));
        return next();
      }
      const perAddress = await limiter.checkGuard({ subject: address, guard: 'token-failures' });
      if (!perAddress.admitted) await applyRateLimitDecision(res, perAddress);
      const perPair = await limiter.check({ subject: `client:${clientId}@${address}`, category: 'auth', overrideFromClient: clientId });
      if (!perPair.admitted) await limiter.refund(perAddress);
      await applyRateLimitDecision(res, perPair);
      (res as ResponseWithCount)[COUNTED] = { limiter, decisions: [perAddress, perPair] };
      next();
    } catch (error) {
      next(error);
    }
  };
}

/** A token was issued: the request was no failure, so it gives back what it was counted against. */
export async function forgiveTokenRequest(res: Response): Promise<void> {
  const counted = (res as ResponseWithCount)[COUNTED];
  if (!counted) return;
  await Promise.all(counted.decisions.map((d) => counted.limiter.refund(d)));
  const pair = counted.decisions[counted.decisions.length - 1];
  res.setHeader('X-RateLimit-Remaining', String(Math.min(pair.limit, pair.remaining + 1)));
}
