/**
 * The auth layer: headers per connection, with secrets resolved from the environment at use time. Fetched tokens
 * (OAuth2 client credentials or the password grant of ION API service accounts, Magento admin tokens) are cached until
 * they expire; after a 401 the token that failed is dropped, so the client fetches a new one and retries the call
 * once. OAuth 1.0a signs each request.
 */
import type { AuthSpec } from '../compiler/compiled-spec.js';
import { ConnectorError } from '../sdk/errors.js';
import { magentoAdminTokenAuth } from './magento-admin-token.js';
import { oauth1Auth } from './oauth1-auth.js';
import { responseExcerpt } from './redact.js';
import { cachedTokenAuth, expiryFor } from './token-cache.js';
import type { CachedToken } from './token-cache.js';
import type { TransportRequest, TransportResponse } from './transport.js';

/**
 * Sends a token request through the stack's guard, transport and telemetry; network failures arrive as ConnectorError.
 */
export type TokenSender = (request: TransportRequest) => Promise<TransportResponse>;

/** The request being authenticated (signing schemes sign it). */
interface AuthTarget {
  method: string;
  /** Absolute URL with its query. */
  url: string;
}

/** Auth headers for a connection. */
export interface AuthProvider {
  /** Headers to add to a request (fetching a token first when needed). */
  headers(target: AuthTarget): Promise<Record<string, string>>;
  /**
   * Drops the cached token if it is the one `authorization` carried; true when a refresh can help (OAuth2), false for
   * static credentials, where a 401 is final.
   */
  invalidate(authorization: string | undefined): boolean;
  /** Resolved secret values (and the live token), for redaction. */
  secrets(): string[];
}

/** The provider for a connection's `auth` block; `baseUrl` resolves a relative `token_url`. */
/** `resolve` turns a `${env:NAME}` reference into its value (the connection's secret policy applies). */
export function createAuthProvider(
  auth: AuthSpec,
  baseUrl: string,
  send: TokenSender,
  resolve: (value: string) => string,
  timeoutMs: number,
): AuthProvider {
  switch (auth.type) {
    case 'bearer':
    case 'magento_token':
      // Magento integration tokens are sent as bearer tokens (Magento 2.4.4+ needs "use as standalone bearer").
      return staticAuth(
        () => ({ authorization: `Bearer ${resolve(auth.token)}` }),
        () => [resolve(auth.token)],
      );
    case 'basic': {
      const credentials = () => Buffer.from(`${resolve(auth.username)}:${resolve(auth.password)}`).toString('base64');
      return staticAuth(
        () => ({ authorization: `Basic ${credentials()}` }),
        () => [resolve(auth.password), credentials()],
      );
    }
    case 'oauth2_client_credentials':
    case 'oauth2_password':
      return oauth2Auth(auth, baseUrl, send, resolve, timeoutMs);
    case 'magento_admin_token':
      return magentoAdminTokenAuth(auth, baseUrl, send, resolve, timeoutMs);
    case 'oauth1':
      return oauth1Auth(auth, resolve);
    default:
      return staticAuth(
        () => ({}),
        () => [],
      );
  }
}

function staticAuth(headers: () => Record<string, string>, secrets: () => string[]): AuthProvider {
  return { headers: async () => headers(), invalidate: () => false, secrets };
}

type OAuth2Spec = Extract<AuthSpec, { type: 'oauth2_client_credentials' | 'oauth2_password' }>;

function oauth2Auth(
  auth: OAuth2Spec,
  baseUrl: string,
  send: TokenSender,
  resolve: (v: string) => string,
  timeoutMs: number,
): AuthProvider {
  const password = auth.type === 'oauth2_password';
  const secrets = () => [resolve(auth.clientSecret), ...(password ? [resolve(auth.password)] : [])];
  const fetchToken = async (): Promise<CachedToken> => {
    const url = new URL(resolve(auth.tokenUrl), baseUrl.endsWith('/') ? baseUrl : baseUrl + '/').toString();
    // The password grant: an ION API service account (the .ionapi file's saak and sask) as the resource owner.
    const form = new URLSearchParams({
      grant_type: password ? 'password' : 'client_credentials',
      client_id: resolve(auth.clientId),
      client_secret: resolve(auth.clientSecret),
      ...(password ? { username: resolve(auth.username), password: resolve(auth.password) } : {}),
    });
    if (auth.scope) form.set('scope', auth.scope);
    const response = await send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      timeoutMs,
    });
    const excerpt = responseExcerpt(response.body, secrets(), 300);
    if (response.status >= 500 || response.status === 429)
      throw new ConnectorError('auth-unavailable', `token endpoint answered ${response.status}`, 'retryable', {
        status: response.status,
        responseExcerpt: excerpt,
      });
    if (response.status !== 200)
      throw new ConnectorError(
        'auth',
        `token request was refused (${response.status}): check the client id and secret${password ? ', username and password' : ''}`,
        'permanent',
        { status: response.status, responseExcerpt: excerpt },
      );
    let body: { access_token?: string; expires_in?: number | string };
    try {
      body = JSON.parse(response.body) as typeof body;
    } catch {
      throw new ConnectorError('auth', 'token response is not JSON', 'permanent', {
        status: response.status,
        responseExcerpt: excerpt,
      });
    }
    if (!body.access_token)
      throw new ConnectorError('auth', 'token response has no access_token', 'permanent', { status: response.status });
    // Salesforce omits expires_in (sessions last hours): assume an hour; the refresh on 401 covers an earlier expiry.
    return { value: body.access_token, expiresAt: expiryFor(Number(body.expires_in ?? 3600) * 1000) };
  };
  return cachedTokenAuth(fetchToken, secrets);
}
