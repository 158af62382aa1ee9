/**
 * OAuth 1.0a request signing (RFC 5849), as Magento integrations authenticate: the consumer key and the access token
 * sign each request's method, URL and query parameters (a JSON body is not signed) with HMAC-SHA256 (2.4.4+ refuses
 * HMAC-SHA1). The signature base is built by the `oauth-1.0a` library from the parameters as the server decodes
 * them, so `+` in a query is a space on both sides.
 */
import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import type { AuthSpec } from '../compiler/compiled-spec.js';
import type { AuthProvider } from './auth.js';

type OAuth1Spec = Extract<AuthSpec, { type: 'oauth1' }>;

/** Signs every request with the connection's consumer and access token. */
export function oauth1Auth(auth: OAuth1Spec, resolve: (value: string) => string): AuthProvider {
  const algorithm = auth.signatureMethod === 'HMAC-SHA1' ? 'sha1' : 'sha256';
  const signer = () =>
    new OAuth({
      consumer: { key: resolve(auth.consumerKey), secret: resolve(auth.consumerSecret) },
      signature_method: auth.signatureMethod,
      hash_function: (base, key) => createHmac(algorithm, key).update(base).digest('base64'),
    });
  return {
    headers: async ({ method, url }) => {
      const target = new URL(url);
      const signed = signer().authorize(
        { url: `${target.origin}${target.pathname}`, method, data: Object.fromEntries(target.searchParams) },
        { key: resolve(auth.accessToken), secret: resolve(auth.accessTokenSecret) },
      );
      return { authorization: signer().toHeader(signed).Authorization };
    },
    // A signature is made per request: a 401 means the credentials are wrong, and signing again cannot help.
    invalidate: () => false,
    secrets: () => [resolve(auth.consumerSecret), resolve(auth.accessToken), resolve(auth.accessTokenSecret)],
  };
}
