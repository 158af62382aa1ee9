/**
 * Starts the generic JSON API emulator standing in for in-house apps (the BNG shop, the service app). Auth is off,
 * a fixed bearer token (`token`), or OAuth2 client credentials from `POST /oauth/token` (`client`).
 */
import { bearerToken, createTokenIssuer, startEmulatorServer } from '../../../engine/sdk/index.js';
import type { EmulatorOptions, EmulatorReply, EmulatorRequest, EmulatorServer } from '../../../engine/sdk/index.js';
import { httpRoutes } from './routes.js';
import { emptyHttpState } from './state.js';
import type { HttpState, Row } from './state.js';

/** Where the emulator issues OAuth2 tokens when `client` is set. */
export const HTTP_TOKEN_PATH = '/oauth/token';

/** A running generic emulator. */
export interface HttpEmulator extends EmulatorServer {
  collections: Map<string, Map<string, Row>>;
  /** Makes every issued OAuth2 token expire now. */
  expireTokens(): void;
}

/** Options of the generic emulator. */
export interface HttpEmulatorOptions extends EmulatorOptions {
  /** Accept `Authorization: Bearer <token>`. */
  token?: string;
  /** Accept OAuth2 client credentials and the tokens issued for them. */
  client?: { clientId: string; clientSecret: string };
  /** Lifetime of OAuth2 tokens. @default 1 hour */
  tokenTtlMs?: number;
}

/** Starts the emulator on loopback (a random port unless `port` is given). */
export async function startHttpEmulator(options: HttpEmulatorOptions = {}): Promise<HttpEmulator> {
  let state: HttpState = emptyHttpState();
  const tokens = createTokenIssuer({ ttlMs: options.tokenTtlMs ?? 3600_000 });
  const tokenRoute = {
    method: 'POST',
    path: HTTP_TOKEN_PATH,
    public: true,
    handle: (r: EmulatorRequest): EmulatorReply => {
      const form = (r.body ?? {}) as Record<string, string>;
      if (!options.client || form.grant_type !== 'client_credentials')
        return { status: 400, body: { error: 'unsupported_grant_type' } };
      if (form.client_id !== options.client.clientId || form.client_secret !== options.client.clientSecret)
        return { status: 401, body: { error: 'invalid_client' } };
      const { token, expiresInSeconds } = tokens.issue();
      return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: expiresInSeconds } };
    },
  };
  const secured = options.token !== undefined || options.client !== undefined;
  const server = await startEmulatorServer(
    {
      name: 'http',
      routes: [tokenRoute, ...httpRoutes(() => state)],
      authenticate: secured
        ? (r) => {
            const token = bearerToken(r.headers.authorization);
            return (options.token !== undefined && token === options.token) || tokens.valid(token)
              ? undefined
              : { status: 401, body: { error: 'unauthorized', message: 'missing, invalid or expired bearer token' } };
          }
        : undefined,
      notFound: (r) => ({ status: 404, body: { error: 'not_found', message: `no route ${r.method} ${r.path}` } }),
      state: () => Object.fromEntries([...state.collections].map(([k, v]) => [k, [...v.values()]])),
      reset: () => void (state = emptyHttpState()),
      controls: {
        'expire-tokens': () => {
          tokens.expireAll();
          return { status: 204 };
        },
      },
    },
    options,
  );
  Object.defineProperty(server, 'collections', { get: () => state.collections, enumerable: true });
  return Object.assign(server, { expireTokens: () => tokens.expireAll() }) as HttpEmulator;
}
