// Rate-limit categories and their defaults (requests per window), overridable per client.
export const RATE_LIMIT_CATEGORIES = {
  general: { limit: 100, windowSeconds: 60 },
  minting: { limit: 10, windowSeconds: 60 },
  external: { limit: 30, windowSeconds: 60 },
  auth: { limit: 5, windowSeconds: 300 },
} as const;

export type RateLimitCategory = keyof typeof RATE_LIMIT_CATEGORIES;
export type RateLimitOverrides = Partial<Record<RateLimitCategory, number>>;

/** Parses "general=100,minting=10" into overrides, throwing on unknown categories or bad numbers. */
export function parseRateLimits(spec: string): RateLimitOverrides {
  const overrides: RateLimitOverrides = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=');
    // Own names only: `in` would also accept what every object inherits (toString, constructor…).
    if (!Object.hasOwn(RATE_LIMIT_CATEGORIES, name)) {
      throw new Error(`unknown rate-limit category '${name}' (known: ${Object.keys(RATE_LIMIT_CATEGORIES).join(', ')})`);
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000_000) throw new Error(`rate limit for '${name}' must be a whole number from 1 up`);
    overrides[name as RateLimitCategory] = n;
  }
  return overrides;
}
