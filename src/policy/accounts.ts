import type { AccountLookup, AccountStanding } from '../model/ports';

export interface AccountCacheOptions {
  /** How long an account's standing is trusted. */
  ttlMs: number;
  now: () => number;
}

/**
 * `lookup`, with each answer kept for the TTL, as user groups' members are: an approver who
 * clicks again is not asked about again. A failed lookup is never kept, so the next click asks anew.
 */
export function cachedAccountLookup(lookup: AccountLookup, { ttlMs, now }: AccountCacheOptions): AccountLookup {
  const cache = new Map<string, { standing: AccountStanding; expiresAt: number }>();
  return async (userId) => {
    const cached = cache.get(userId);
    if (cached && now() < cached.expiresAt) return cached.standing;
    const standing = await lookup(userId);
    cache.set(userId, { standing, expiresAt: now() + ttlMs });
    return standing;
  };
}
