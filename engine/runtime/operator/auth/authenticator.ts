/**
 * Who a request to the operator listener is: an API token in `Authorization: Bearer`, else (with sign-in) a session
 * cookie, else (without sign-in, loopback only) the anonymous operator. A bearer token that is not valid is refused
 * even without sign-in, so a tool never acts as anonymous by mistake.
 */
import type { IncomingMessage } from 'node:http';
import type { Kvm } from '@nats-io/kv';
import type { AuditLog } from '../../stores/audit-log.js';
import type { ResolvedOperatorOptions } from '../operator-options.js';
import type { Authenticator } from '../operator-server.js';
import { ANONYMOUS_OPERATOR } from '../principal.js';
import type { Principal } from '../principal.js';
import type { ApiTokens } from './api-tokens.js';

interface AuthenticatorDeps {
  tokens: ApiTokens;
  /** Without sign-in every request without a token is the anonymous operator (loopback only). */
  signIn: boolean;
  /** The signed-in person of a request's session cookie, when sign-in is on. */
  session?: (req: IncomingMessage) => Promise<Principal | undefined>;
}

function createAuthenticator(deps: AuthenticatorDeps, extra: Omit<Authenticator, 'identify'> = {}): Authenticator {
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

/** The authenticator of an engine's operator listener, with the sign-in routes when sign-in is on. */
export async function operatorAuthenticator(
  kvm: Kvm,
  tokens: ApiTokens,
  audit: AuditLog,
  options: ResolvedOperatorOptions,
  tuning: { replicas: number },
  onError?: (error: unknown) => void,
): Promise<Authenticator> {
  if (options.auth === 'none') return createAuthenticator({ tokens, signIn: false });
  const { Sessions } = await import('./sessions.js');
  const { SIGN_IN_PATH, signInRoutes } = await import('./sign-in-routes.js');
  const { SignInThrottle } = await import('./sign-in-throttle.js');
  const sessions = await Sessions.open(kvm, {
    ttlMs: options.sessionTtlMs,
    secure: options.publicUrl?.protocol === 'https:',
    replicas: tuning.replicas,
  });
  const throttle = new SignInThrottle(
    options.signInThrottle,
    audit,
    options.auth === 'token'
      ? { actor: { kind: 'token', id: 'unknown' }, target: 'token' }
      : { actor: { kind: 'user', id: 'unknown' }, target: 'oidc' },
    onError,
  );
  const route = signInRoutes({
    mode: options.auth,
    throttle,
    sessions,
    tokens,
    audit,
    oidc: options.oidc,
    publicUrl: options.publicUrl,
    allowedOrigins: options.allowedOrigins,
  });
  return createAuthenticator(
    { tokens, signIn: true, session: (req) => sessions.principal(req.headers.cookie, (id) => tokens.live(id)) },
    { route, signInPath: SIGN_IN_PATH, close: () => throttle.close() },
  );
}
