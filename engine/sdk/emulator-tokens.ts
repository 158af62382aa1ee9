/**
 * OAuth2 bearer tokens for emulators: issued by a token endpoint, valid for a configurable time, and expirable on
 * demand, so tests can prove that a client refreshes an expired token once and retries.
 */
import { randomBytes } from 'node:crypto';

/** Tokens an emulator has issued, with their expiry. */
export interface TokenIssuer {
  /** A new token valid for the configured lifetime. */
  issue(): { token: string; expiresInSeconds: number };
  /** True while `token` is known and unexpired. */
  valid(token: string | undefined): boolean;
  /** Expires every issued token now (the next call with one gets 401). */
  expireAll(): void;
  /** How many tokens were issued (for assertions). */
  readonly issued: number;
}

/** A token issuer; `prefix` makes tokens look like the vendor's (`00D` for Salesforce session ids). */
export function createTokenIssuer(options: { ttlMs: number; prefix?: string }): TokenIssuer {
  const tokens = new Map<string, number>();
  let issued = 0;
  return {
    issue: () => {
      const token = `${options.prefix ?? ''}${randomBytes(16).toString('hex')}`;
      tokens.set(token, Date.now() + options.ttlMs);
      issued++;
      return { token, expiresInSeconds: Math.max(1, Math.round(options.ttlMs / 1000)) };
    },
    valid: (token) => token !== undefined && (tokens.get(token) ?? 0) > Date.now(),
    expireAll: () => {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    get issued() {
      return issued;
    },
  };
}

/** The bearer token of an `Authorization: Bearer …` header. */
export function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
}
