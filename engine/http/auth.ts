/**
 * Authentication headers per connection. OAuth2 client-credentials tokens are cached until they expire and can be
 * invalidated once on a 401, after which the client fetches a new one and retries the call once.
 */
import type { AuthSpec } from '../spec/compiled-spec.js';
import { resolveRefs } from '../spec/secret-ref.js';
import { ConnectorError } from '../sdk/errors.js';
import { TransportError } from './transport.js';
import type { Transport } from './transport.js';

export interface AuthProvider {
  /** Headers to add to a request. */
  headers(): Promise<Record<string, string>>;
  /** Forgets a cached token; true when there was one to refresh (so a retry can help). */
  invalidate(): boolean;
  /** Resolved secret values, for redaction. */
  secrets(): string[];
}

export function createAuthProvider(auth: AuthSpec, baseUrl: string, transport: Transport, env: NodeJS.ProcessEnv, timeoutMs: number): AuthProvider {
  const resolve = (value: string) => resolveRefs(value, env);
  switch (auth.type) {
    case 'bearer':
    case 'magento_token':
      return staticAuth(() => ({ authorization: `Bearer ${resolve(auth.token)}` }), () => [resolve(auth.token)]);
    case 'basic': {
      const secret = () => Buffer.from(`${resolve(auth.username)}:${resolve(auth.password)}`).toString('base64');
      return staticAuth(() => ({ authorization: `Basic ${secret()}` }), () => [resolve(auth.password), secret()]);
    }
    case 'oauth2_client_credentials':
      return oauth2Auth(auth, baseUrl, transport, resolve, timeoutMs);
    default:
      return staticAuth(() => ({}), () => []);
  }
}

function staticAuth(headers: () => Record<string, string>, secrets: () => string[]): AuthProvider {
  return { headers: async () => headers(), invalidate: () => false, secrets };
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

function oauth2Auth(auth: Extract<AuthSpec, { type: 'oauth2_client_credentials' }>, baseUrl: string, transport: Transport, resolve: (v: string) => string, timeoutMs: number): AuthProvider {
  let token: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;
  const fetchToken = async (): Promise<CachedToken> => {
    const url = new URL(auth.tokenUrl, baseUrl.endsWith('/') ? baseUrl : baseUrl + '/').toString();
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: resolve(auth.clientId), client_secret: resolve(auth.clientSecret) });
    if (auth.scope) form.set('scope', auth.scope);
    let response;
    try {
      response = await transport({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString(), timeoutMs }, {});
    } catch (error) {
      const timedOut = error instanceof TransportError && error.timedOut;
      throw new ConnectorError(timedOut ? 'timeout' : 'network', `token endpoint: ${(error as Error).message}`, 'retryable', { cause: error });
    }
    if (response.status >= 500 || response.status === 429) throw new ConnectorError('auth-unavailable', `token endpoint answered ${response.status}`, 'retryable', { status: response.status });
    if (response.status !== 200) throw new ConnectorError('auth', `token request was refused (${response.status}): check the client id and secret`, 'permanent', { status: response.status, responseExcerpt: response.body.slice(0, 300) });
    const body = JSON.parse(response.body) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new ConnectorError('auth', 'token response has no access_token', 'permanent', { status: response.status });
    // Salesforce omits expires_in (sessions last hours); refresh on 401 covers an early expiry.
    const lifetimeMs = (body.expires_in ?? 3600) * 1000;
    return { value: body.access_token, expiresAt: Date.now() + lifetimeMs - Math.min(30_000, lifetimeMs / 10) };
  };
  return {
    headers: async () => {
      if (!token || token.expiresAt <= Date.now()) {
        pending ??= fetchToken().finally(() => (pending = undefined));
        token = await pending;
      }
      return { authorization: `Bearer ${token.value}` };
    },
    invalidate: () => {
      const had = token !== undefined;
      token = undefined;
      return had;
    },
    secrets: () => [resolve(auth.clientSecret), ...(token ? [token.value] : [])],
  };
}
