/**
 * The auth layer: headers per connection, with secrets resolved from the environment at use time. OAuth2
 * client-credentials tokens are cached until they expire; after a 401 the token that failed is dropped, so the client
 * fetches a new one and retries the call once.
 */
import type { AuthSpec } from '../compiler/compiled-spec.js';
import { resolveRefs } from '../compiler/secret-ref.js';
import { ConnectorError } from '../sdk/errors.js';
import { redactText } from './redact.js';
import type { TransportRequest, TransportResponse } from './transport.js';

/**
 * Sends a token request through the stack's guard, transport and telemetry; network failures arrive as ConnectorError.
 */
export type TokenSender = (request: TransportRequest) => Promise<TransportResponse>;

/** Auth headers for a connection. */
export interface AuthProvider {
  /** Headers to add to a request (fetching a token first when needed). */
  headers(): Promise<Record<string, string>>;
  /**
   * Drops the cached token if it is the one `authorization` carried; true when a refresh can help (OAuth2), false for
   * static credentials, where a 401 is final.
   */
  invalidate(authorization: string | undefined): boolean;
  /** Resolved secret values (and the live token), for redaction. */
  secrets(): string[];
}

/** The provider for a connection's `auth` block; `baseUrl` resolves a relative `token_url`. */
export function createAuthProvider(
  auth: AuthSpec,
  baseUrl: string,
  send: TokenSender,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): AuthProvider {
  const resolve = (value: string) => resolveRefs(value, env);
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
      return oauth2Auth(auth, baseUrl, send, resolve, timeoutMs);
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

interface CachedToken {
  value: string;
  expiresAt: number;
}

type OAuth2Spec = Extract<AuthSpec, { type: 'oauth2_client_credentials' }>;

function oauth2Auth(
  auth: OAuth2Spec,
  baseUrl: string,
  send: TokenSender,
  resolve: (v: string) => string,
  timeoutMs: number,
): AuthProvider {
  let token: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;
  const secrets = () => [resolve(auth.clientSecret), ...(token ? [token.value] : [])];
  const fetchToken = async (): Promise<CachedToken> => {
    const url = new URL(auth.tokenUrl, baseUrl.endsWith('/') ? baseUrl : baseUrl + '/').toString();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: resolve(auth.clientId),
      client_secret: resolve(auth.clientSecret),
    });
    if (auth.scope) form.set('scope', auth.scope);
    const response = await send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      timeoutMs,
    });
    const excerpt = redactText(response.body.slice(0, 300), secrets());
    if (response.status >= 500 || response.status === 429)
      throw new ConnectorError('auth-unavailable', `token endpoint answered ${response.status}`, 'retryable', {
        status: response.status,
        responseExcerpt: excerpt,
      });
    if (response.status !== 200)
      throw new ConnectorError(
        'auth',
        `token request was refused (${response.status}): check the client id and secret`,
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
    const lifetimeMs = Number(body.expires_in ?? 3600) * 1000;
    return { value: body.access_token, expiresAt: Date.now() + lifetimeMs - Math.min(30_000, lifetimeMs / 10) };
  };
  return {
    headers: async () => {
      if (!token || token.expiresAt <= Date.now()) {
        // Concurrent calls share one token request.
        pending ??= fetchToken().finally(() => (pending = undefined));
        token = await pending;
      }
      return { authorization: `Bearer ${token.value}` };
    },
    invalidate: (authorization) => {
      if (token && authorization === `Bearer ${token.value}`) token = undefined;
      return true;
    },
    secrets,
  };
}
