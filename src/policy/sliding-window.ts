// What a client is told about its sliding window, computed from the counters the database returned.
// Pure arithmetic, so it can be tested with any clock. The model (see src/db/rate-limit-counters.ts):
// windows are fixed slots of `windowMs` aligned to the epoch; at time t in a slot starting at s,
//   estimate(t) = current + previous × (s + windowMs − t) / windowMs
// and a request is let through when estimate + 1 ≤ limit. The even spread that formula assumes is
// only an estimate; one fact overrides it: no request is let through after `lastAdmittedMs`, so from
// `lastAdmittedMs + windowMs` on every counted request is outside the window and the estimate is 0.
// That keeps every wait within one window of the refused request (without it a burst at the start of
// a slot was held for up to a window and a tenth, and told so in Retry-After).

export type WindowCounters = {
  limit: number;
  windowMs: number;
  windowStartMs: number;
  nowMs: number;
  /** Requests counted in the current slot (after this request, if it was let through). */
  current: number;
  /** Requests counted in the slot before. */
  previous: number;
  /** When the last request was let through (this one, if it was); no later request is counted. */
  lastAdmittedMs: number;
};

export type WindowReport = {
  /** Requests that would still be let through right now. */
  remaining: number;
  /** limit − remaining: what the graduated response (80 % / 90 %) is measured on. */
  used: number;
  /** Unix seconds at which the estimate reaches zero if no further request comes. */
  resetAt: number;
  /** Seconds until one more request would be let through (0 when one would be now). */
  retryAfterSeconds: number;
};

export function estimateAt(c: WindowCounters, atMs: number): number {
  if (atMs >= c.lastAdmittedMs + c.windowMs) return 0;
  const slotEnd = c.windowStartMs + c.windowMs;
  if (atMs < slotEnd) return c.current + c.previous * clamp01((slotEnd - atMs) / c.windowMs);
  // In the next slot the current count becomes the previous one, and nothing is counted yet.
  return c.current * clamp01((slotEnd + c.windowMs - atMs) / c.windowMs);
}

export function reportWindow(c: WindowCounters): WindowReport {
  // A tiny epsilon keeps float noise (e.g. 2.9999999) from costing a whole request.
  const remaining = Math.max(0, Math.floor(c.limit - estimateAt(c, c.nowMs) + 1e-9));
  const decayedAtMs = c.current > 0 ? c.windowStartMs + 2 * c.windowMs : c.previous > 0 ? c.windowStartMs + c.windowMs : c.nowMs;
  const freeAtMs = Math.max(c.nowMs, Math.min(decayedAtMs, c.lastAdmittedMs + c.windowMs));
  return {
    remaining,
    used: c.limit - remaining,
    resetAt: Math.ceil(freeAtMs / 1000),
    retryAfterSeconds: remaining > 0 ? 0 : Math.max(1, Math.ceil((nextAdmissionMs(c) - c.nowMs) / 1000)),
  };
}

/**
 * The earliest time at which estimate + 1 ≤ limit, assuming nothing else is let through meanwhile:
 * whichever comes first of the estimate decaying far enough and every counted request leaving the
 * window, so never more than one window after `nowMs` (every counted request is older than now).
 */
export function nextAdmissionMs(c: WindowCounters): number {
  return Math.max(c.nowMs, Math.min(decayedEnoughAtMs(c), c.lastAdmittedMs + c.windowMs));
}

/** When the even-spread estimate alone leaves room for one more request. */
function decayedEnoughAtMs(c: WindowCounters): number {
  const slotEnd = c.windowStartMs + c.windowMs;
  const room = c.limit - 1;
  // Still in this slot: the previous slot's share decays until it leaves enough room.
  if (c.current <= room && c.previous > 0) {
    const at = slotEnd - (c.windowMs * (room - c.current)) / c.previous;
    if (at < slotEnd) return at;
  }
  if (c.current <= room) return slotEnd;
  // In the next slot this slot's count decays in turn.
  return slotEnd + c.windowMs * (1 - room / c.current);
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
