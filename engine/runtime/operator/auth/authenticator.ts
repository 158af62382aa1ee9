/**
 * Who a request to the operator listener is: an API token in `Authorization: Bearer`, else (with sign-in) a session
 * cookie, else (without sign-in, loopback only) the anonymous operator. A bearer token that is not valid is refused
 * even without sign-in, so a tool never acts as anonymous by mistake.
 */
import type { IncomingMessage } from 'node:http';
import type { Authenticator } from '../operator-server.js';
import { ANONYMOUS_OPERATOR } from '../principal.js';
import type { Principal } from '../principal.js';
import type { ApiTokens } from './api-tokens.js';

export interface AuthenticatorDeps {
  tokens: ApiTokens;
  /** Without sign-in every request without a token is the anonymous operator (loopback only). */
  signIn: boolean;
  /** The signed-in person of a request's session cookie, when sign-in is on. */
  session?: (req: IncomingMessage) => Promise<Principal | undefined>;
}

export function createAuthenticator(
  deps: AuthenticatorDeps,
  extra: Omit<Authenticator, 'identify'> = {},
): Authenticator {
  return {
    ...extra,
    identify: async (req) => {
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
      if (bearer) {
        const info = await deps.tokens.verify(bearer[1]);
        return info && { actor: { kind: 'token', id: info.name }, role: info.role, via: 'bearer' };
      }
      if (!deps.signIn) return ANONYMOUS_OPERATOR;
      return deps.session?.(req);
    },
  };
}
