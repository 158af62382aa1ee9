/**
 * A token fetched from a vendor's token endpoint, kept until it expires: concurrent calls share one token request,
 * and after a 401 the token that failed is dropped so the next call fetches a new one.
 */
import type { AuthProvider } from './auth.js';

/** A token and when to stop using it (epoch ms). */
export interface CachedToken {
  value: string;
  expiresAt: number;
}

/** Renew a little before the vendor's expiry: 30 s, or a tenth of a short lifetime. */
export function expiryFor(lifetimeMs: number, now = Date.now()): number {
  return now + lifetimeMs - Math.min(30_000, lifetimeMs / 10);
}

/** An auth provider sending `Authorization: Bearer <token>` with a cached, refreshable token. */
export function cachedTokenAuth(fetchToken: () => Promise<CachedToken>, secrets: () => string[]): AuthProvider {
  let token: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;
  return {
    headers: async () => {
      if (!token || token.expiresAt <= Date.now()) {
        pending ??= fetchToken().finally(() => (pending = undefined));
        token = await pending;
      }
      return { authorization: `Bearer ${token.value}` };
    },
    invalidate: (authorization) => {
      if (token && authorization === `Bearer ${token.value}`) token = undefined;
      return true;
    },
    secrets: () => [...secrets(), ...(token ? [token.value] : [])],
  };
}
