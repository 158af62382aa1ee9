/**
 * How the Magento emulator authenticates, as Magento 2.4.4+ does: OAuth 1.0a signed requests of an integration
 * (HMAC-SHA256 only), admin tokens from `POST /V1/integration/admin/token` (JWTs that expire, 60 minutes by default),
 * and the integration's access token as a bearer token only when the store allows it ("Allow OAuth Access Tokens to
 * be used as standalone Bearer tokens", off by default). Anything else, an expired token included, is 401.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { EmulatorReply, EmulatorRequest, Route } from '../../../engine/sdk/index.js';
import { magentoError } from './magento-error.js';

/** An integration's credentials (System > Integrations). */
export interface MagentoIntegration {
  consumerKey: string;
  consumerSecret: string;
  accessToken: string;
  accessTokenSecret: string;
}

/** What the emulator accepts. */
export interface MagentoAuthOptions {
  integration: MagentoIntegration;
  /** Whether the integration's access token works as a bearer token. */
  bearerIntegrationTokens: boolean;
  admin: { username: string; password: string; tokenTtlMs: number };
}

const UNAUTHORIZED: EmulatorReply = magentoError(401, "The consumer isn't authorized to access %resources.", {
  resources: 'Magento_Sales::sales',
});

/** Issued admin tokens and the check of every request. */
export function magentoAuth(options: MagentoAuthOptions, baseUrl: () => string) {
  const adminTokens = new Map<string, number>();
  const issue = (): string => {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + Math.max(1, Math.round(options.admin.tokenTtlMs / 1000));
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const body = `${part({ alg: 'HS256', typ: 'JWT', kid: '1' })}.${part({ uid: 1, utypid: 2, iat: now, exp, jti: randomBytes(8).toString('hex') })}`;
    const token = `${body}.${createHmac('sha256', 'emulator').update(body).digest('base64url')}`;
    adminTokens.set(token, exp * 1000);
    return token;
  };
  const tokenRoute = (path: string): Route => ({
    method: 'POST',
    path,
    public: true,
    handle: (r) => {
      const { username, password } = (r.body ?? {}) as { username?: string; password?: string };
      if (username !== options.admin.username || password !== options.admin.password)
        return magentoError(
          401,
          'The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.',
        );
      return { status: 200, body: issue() };
    },
  });
  return {
    routes: [tokenRoute('/rest/V1/integration/admin/token'), tokenRoute('/rest/:store/V1/integration/admin/token')],
    /** Expires every admin token now. */
    expireAdminTokens: () => {
      for (const token of adminTokens.keys()) adminTokens.set(token, 0);
    },
    authenticate: (r: EmulatorRequest): EmulatorReply | undefined => {
      const header = r.headers.authorization ?? '';
      if (/^OAuth\s/i.test(header)) return verifyOAuth(r, header, options.integration, baseUrl());
      const bearer = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      if (bearer && (adminTokens.get(bearer) ?? 0) > Date.now()) return undefined;
      if (bearer && options.bearerIntegrationTokens && bearer === options.integration.accessToken) return undefined;
      return UNAUTHORIZED;
    },
  };
}

/**
 * RFC 5849 verification as Magento's `Oauth::validateAccessTokenRequest` does it: the `oauth_*` header parameters
 * (`realm` ignored), all query parameters and form-encoded body parameters (never a JSON body) are signed over the
 * method and the URL without its query, with the consumer secret and the token secret.
 */
function verifyOAuth(r: EmulatorRequest, header: string, integration: MagentoIntegration, baseUrl: string) {
  const params: Record<string, string> = {};
  for (const m of header.slice(header.indexOf(' ') + 1).matchAll(/([\w.-]+)="([^"]*)"/g))
    if (m[1].startsWith('oauth_')) params[m[1]] = decodeURIComponent(m[2]);
  const missing = ['oauth_consumer_key', 'oauth_signature', 'oauth_signature_method', 'oauth_nonce', 'oauth_timestamp'];
  const absent = missing.filter((name) => !params[name]);
  if (absent.length)
    return {
      status: 400,
      body: {
        message: 'One or more input exceptions have occurred.',
        errors: absent.map((fieldName) => ({
          message: '"%fieldName" is required. Enter and try again.',
          parameters: { fieldName },
        })),
      },
    };
  if (params.oauth_signature_method !== 'HMAC-SHA256')
    return magentoError(400, 'Signature method %1 is not supported', [params.oauth_signature_method]);
  if (params.oauth_consumer_key !== integration.consumerKey || params.oauth_token !== integration.accessToken)
    return UNAUTHORIZED;
  const signed: [string, string][] = [
    ...Object.entries(params).filter(([k]) => k !== 'oauth_signature'),
    ...Object.entries(r.query),
    ...((r.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') && r.body
      ? Object.entries(r.body as Record<string, string>)
      : []),
  ];
  const encode = (s: string) =>
    encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const normalized = signed
    .map(([k, v]) => [encode(k), encode(v)])
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = [r.method.toUpperCase(), encode(`${baseUrl}${r.path}`), encode(normalized)].join('&');
  const key = `${encode(integration.consumerSecret)}&${encode(integration.accessTokenSecret)}`;
  const expected = createHmac('sha256', key).update(base).digest('base64');
  return expected === params.oauth_signature
    ? undefined
    : magentoError(401, 'The signature is invalid. Verify and try again.');
}
