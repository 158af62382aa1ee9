/**
 * Magento admin tokens: `POST /V1/integration/admin/token {"username", "password"}` answers the token as a JSON
 * string. On 2.4.4+ it is a JWT whose `exp` says when it expires (`webapi/jwtauth/admin_expiration`, 60 minutes by
 * default), so it is renewed before then; an expired one is refused with 401 and renewed once. While
 * Magento_TwoFactorAuth is enabled this endpoint issues no token at all, which is reported as such.
 */
import type { AuthSpec } from '../compiler/compiled-spec.js';
import { ConnectorError } from '../sdk/errors.js';
import type { AuthProvider, TokenSender } from './auth.js';
import { responseExcerpt } from './redact.js';
import { cachedTokenAuth, expiryFor } from './token-cache.js';

type AdminTokenSpec = Extract<AuthSpec, { type: 'magento_admin_token' }>;

/** Lifetime assumed for a token that is not a JWT (Magento's legacy opaque admin tokens last 4 hours). */
const OPAQUE_TOKEN_MS = 4 * 3600_000;

export function magentoAdminTokenAuth(
  auth: AdminTokenSpec,
  baseUrl: string,
  send: TokenSender,
  resolve: (value: string) => string,
  timeoutMs: number,
): AuthProvider {
  const secrets = () => [resolve(auth.password)];
  const fetchToken = async () => {
    const response = await send({
      method: 'POST',
      url: new URL(auth.tokenUrl, baseUrl.endsWith('/') ? baseUrl : baseUrl + '/').toString(),
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: resolve(auth.username), password: resolve(auth.password) }),
      timeoutMs,
    });
    const excerpt = responseExcerpt(response.body, secrets(), 300);
    const details = { status: response.status, responseExcerpt: excerpt };
    if (response.status >= 500 || response.status === 429)
      throw new ConnectorError(
        'auth-unavailable',
        `admin token endpoint answered ${response.status}`,
        'retryable',
        details,
      );
    let token: unknown;
    try {
      token = JSON.parse(response.body);
    } catch {
      token = undefined;
    }
    if (response.status !== 200 || typeof token !== 'string' || token === '') {
      const message = (token as { message?: string } | undefined)?.message ?? '';
      const hint = /2fa|two-factor/i.test(message)
        ? 'Magento_TwoFactorAuth is enabled, so this endpoint issues no admin token: use an integration (oauth1)'
        : 'check the admin user name and password';
      throw new ConnectorError(
        'auth',
        `admin token request was refused (${response.status}): ${hint}`,
        'permanent',
        details,
      );
    }
    const expiresAt = jwtExpiry(token);
    return {
      value: token,
      expiresAt: expiresAt === undefined ? expiryFor(OPAQUE_TOKEN_MS) : expiryFor(expiresAt - Date.now()),
    };
  };
  return cachedTokenAuth(fetchToken, secrets);
}

/** The `exp` of a JWT (epoch ms), or undefined when the token is not a JWT. */
function jwtExpiry(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (token.split('.').length !== 3 || !payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
