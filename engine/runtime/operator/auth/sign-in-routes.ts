/**
 * The dashboard's sign-in, served before authentication:
 *   GET  /auth/sign-in     the page: "Sign in with single sign-on" (OIDC) and/or an API token form
 *   GET  /auth/login       OIDC authorization code flow with PKCE (S256), state and nonce; redirects to the IdP
 *   GET  /auth/callback    code exchange (openid-client), ID-token checks, role from claims, session cookie
 *   POST /auth/token       sign in with an API token (the token's role), for `--operator-auth token`
 *   POST /auth/sign-out    ends the session everywhere
 * Every sign-in, refused or not, is audited as `auth.sign-in`; failures are throttled per client address and in
 * all (sign-in-throttle.ts), and the refusals past the limits are audited as one summary per address and window.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as oidc from 'openid-client';
import type { AuditActor, AuditLog } from '../../stores/audit-log.js';
import type { OidcOptions, OperatorAuthMode } from '../operator-options.js';
import { SECURITY_HEADERS, crossOriginRefusal } from '../request-guards.js';
import type { ApiTokens } from './api-tokens.js';
import { roleFor } from './role-mapping.js';
import type { Sessions } from './sessions.js';
import { signInPage } from './sign-in-page.js';
import { clientAddress } from './sign-in-throttle.js';
import type { Admission, SignInThrottle } from './sign-in-throttle.js';

interface SignInDeps {
  mode: Exclude<OperatorAuthMode, 'none'>;
  sessions: Sessions;
  tokens: ApiTokens;
  audit: AuditLog;
  throttle: SignInThrottle;
  oidc?: OidcOptions;
  /** The operator listener's public URL, when it is behind a proxy; else the request's Host is used. */
  publicUrl?: URL;
  allowedOrigins: ReadonlySet<string>;
}

export const SIGN_IN_PATH = '/auth/sign-in';

/** The sign-in routes; resolves true when the request was one of them. */
export function signInRoutes(deps: SignInDeps) {
  /** A failed sign-in, audited one by one unless the throttle counts it in a summary (past its limit for all). */
  const failure = async (
    admission: Extract<Admission, { refused: false }>,
    actor: AuditActor,
    target: 'oidc' | 'token',
    result: 'denied' | 'failed',
    reason: string,
    address: string,
  ) => {
    if (admission.audit)
      await deps.audit.record({ actor, action: 'auth.sign-in', target, result, reason, detail: { address } });
  };
  let discovered: Promise<oidc.Configuration> | undefined;
  const configuration = () => {
    const o = deps.oidc!;
    discovered ??= oidc
      .discovery(
        new URL(o.issuer),
        o.clientId,
        undefined,
        o.clientSecret ? oidc.ClientSecretBasic(o.clientSecret) : oidc.None(),
        new URL(o.issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((error: unknown) => {
        discovered = undefined; // an IdP that was down at first use is asked again next time
        throw error;
      });
    return discovered;
  };
  const base = (req: IncomingMessage) => deps.publicUrl?.origin ?? `http://${req.headers.host ?? 'localhost'}`;

  return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    const method = req.method ?? 'GET';
    const page = (status: number, message?: string, headers = {}) => {
      res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', ...headers });
      res.end(signInPage({ oidc: !!deps.oidc, tokens: deps.mode === 'token', next: safeNext(url), message }));
      return true;
    };
    const redirect = (location: string, cookie?: string) => {
      res.writeHead(303, { ...SECURITY_HEADERS, location, ...(cookie ? { 'set-cookie': cookie } : {}) });
      res.end();
      return true;
    };
    // Past the limit of failed sign-ins: refused unchecked, so the answer takes the same time whatever was sent.
    const tooMany = (refusal: Extract<Admission, { refused: true }>) =>
      page(429, refusal.message, { 'retry-after': String(refusal.retryAfterSeconds) });
    if (method === 'GET' && url.pathname === SIGN_IN_PATH) return page(200);
    if (method === 'GET' && url.pathname === '/auth/login' && deps.oidc) {
      const config = await configuration().catch(() => undefined);
      if (!config) return page(502, 'The identity provider did not answer; try again in a moment.');
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      await deps.sessions.savePending(state, { codeVerifier, nonce, next: safeNext(url) });
      const target = oidc.buildAuthorizationUrl(config, {
        redirect_uri: `${base(req)}/auth/callback`,
        scope: deps.oidc.scopes ?? 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return redirect(target.href);
    }
    if (method === 'GET' && url.pathname === '/auth/callback' && deps.oidc) {
      const pending = await deps.sessions.takePending(url.searchParams.get('state') ?? '');
      if (!pending) return page(400, 'That sign-in expired or was already used; sign in again.');
      const address = clientAddress(req);
      const admission = deps.throttle.admit(address);
      if (admission.refused) return tooMany(admission);
      let claims: Record<string, unknown>;
      try {
        const config = await configuration();
        const tokens = await oidc.authorizationCodeGrant(config, new URL(`${url.pathname}${url.search}`, base(req)), {
          pkceCodeVerifier: pending.codeVerifier,
          expectedState: url.searchParams.get('state') ?? undefined,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
        const idClaims = (tokens.claims() ?? {}) as Record<string, unknown>;
        // Many providers put e-mail and groups in UserInfo only (oidc-provider does by default): ask for them.
        const userInfo = config.serverMetadata().userinfo_endpoint
          ? await oidc.fetchUserInfo(config, tokens.access_token, String(idClaims.sub))
          : {};
        claims = { ...idClaims, ...userInfo };
      } catch (error) {
        const reason = (error as Error).message;
        await failure(admission, { kind: 'user', id: 'unknown' }, 'oidc', 'failed', reason, address);
        return page(401, 'The identity provider did not confirm the sign-in.');
      }
      const who = String(claims.email ?? claims.sub);
      const role = roleFor(claims, deps.oidc);
      const actor = { kind: 'user' as const, id: who };
      if (!role) {
        await failure(admission, actor, 'oidc', 'denied', 'no role', address);
        return page(403, `${who} has no role here; ask an administrator to add you.`);
      }
      admission.succeeded();
      await deps.audit.record({ actor, action: 'auth.sign-in', target: 'oidc', result: 'ok', detail: { role } });
      return redirect(pending.next, await deps.sessions.create({ actor, role }));
    }
    if (method === 'POST' && (url.pathname === '/auth/token' || url.pathname === '/auth/sign-out')) {
      // A forged sign-in (login CSRF) or sign-out from another site is refused like any state change.
      const forged = crossOriginRefusal(req, deps.allowedOrigins);
      if (forged) return page(403, forged.message);
      if (url.pathname === '/auth/sign-out') return redirect(SIGN_IN_PATH, await deps.sessions.end(req.headers.cookie));
      if (deps.mode !== 'token') return false;
      const address = clientAddress(req);
      const admission = deps.throttle.admit(address);
      if (admission.refused) return tooMany(admission);
      const form = new URLSearchParams(await readForm(req));
      const info = await deps.tokens.verify(form.get('token') ?? '');
      if (!info) {
        await failure(admission, { kind: 'token', id: 'unknown' }, 'token', 'denied', 'not a valid token', address);
        return page(401, 'That token is not valid (revoked, expired or mistyped).');
      }
      admission.succeeded();
      const actor = { kind: 'token' as const, id: info.name };
      await deps.audit.record({
        actor,
        action: 'auth.sign-in',
        target: 'token',
        result: 'ok',
        detail: { role: info.role },
      });
      return redirect(
        safeNext(new URL(`?next=${encodeURIComponent(form.get('next') ?? '/')}`, 'http://x')),
        await deps.sessions.create({ actor, role: info.role }, info),
      );
    }
    return false;
  };
}

/** A stand-in origin: `next` is resolved against it, and must stay on it. */
const HERE = 'http://this-listener.invalid';

/**
 * Where to go after signing in: a path on this listener only (never an open redirect). `next` is resolved as a
 * browser would resolve the Location (which drops tabs and line breaks and reads `\\` as `/`, so `/<tab>/evil.example`
 * is `//evil.example`), and what is sent is that resolved path, never the text as given.
 */
function safeNext(url: URL): string {
  const next = url.searchParams.get('next') ?? '/';
  const resolved = next.startsWith('/') ? URL.parse(next, HERE) : null;
  return resolved?.origin === HERE ? resolved.pathname + resolved.search + resolved.hash : '/';
}

async function readForm(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > 8192) break;
  }
  return text;
}
