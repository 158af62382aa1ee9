/**
 * A real OpenID Provider on loopback for the sign-in tests: `oidc-provider` (the certified Node implementation) with
 * its development login and consent pages, where any login name signs in and becomes the account's verified e-mail.
 * The listener starts first so that its issuer URL can be given to the engine; the client, whose redirect URI
 * depends on the engine's operator port, is registered once that is known.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface TestIdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers the Junction client with its redirect URI (the engine's `<operator url>/auth/callback`). */
  registerClient(redirectUri: string): void;
  stop(): Promise<void>;
}

/** The engine's operator sign-in through `idp`: ops@acme.test operates, everyone else at acme.test views. */
export function acmeSignIn(idp: TestIdentityProvider) {
  return {
    auth: 'oidc' as const,
    oidc: {
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      operators: ['ops@acme.test'],
      viewers: ['@acme.test'],
    },
  };
}

export async function startTestIdentityProvider(): Promise<TestIdentityProvider> {
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    if (handle) return handle(req, res);
    res.writeHead(503).end('identity provider not configured yet');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'junction';
  const clientSecret = 'junction-test-client-secret-0123456789';
  return {
    issuer,
    clientId,
    clientSecret,
    registerClient: (redirectUri) => {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        claims: { openid: ['sub'], email: ['email', 'email_verified'] },
        findAccount: (_ctx: unknown, id: string) => ({
          accountId: id,
          claims: () => ({ sub: id, email: id, email_verified: true }),
        }),
        cookies: { keys: ['junction-test-cookie-key-0123456789'] },
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
      });
      handle = provider.callback();
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
