/**
 * Options of the operator listener (dashboard, `/api/*`, `/metrics`), user options -> resolved options. The
 * listener binds loopback by default; anywhere else it must authenticate, and the engine refuses to start otherwise
 * unless told `insecure` (then it warns loudly).
 */
import { isIP } from 'node:net';
import type { RoleRules } from './auth/role-mapping.js';
import { SIGN_IN_THROTTLE_DEFAULTS } from './auth/sign-in-throttle.js';
import type { ResolvedSignInThrottle, SignInThrottleOptions } from './auth/sign-in-throttle.js';

/** OpenID Connect sign-in for people (`auth: 'oidc'`). */
export interface OidcOptions extends RoleRules {
  /** The IdP's issuer URL: https, or http on loopback only (a local provider). */
  issuer: string;
  clientId: string;
  /** For a confidential client; without it the client is public (PKCE only). From the environment, never a flag. */
  clientSecret?: string;
  /** @default "openid email profile" */
  scopes?: string;
}

export interface OperatorOptions {
  /** Port of the operator listener; 0 picks a free one. @default 8081 */
  port?: number;
  /** Listen address. Anything but loopback requires authentication. @default 127.0.0.1 */
  host?: string;
  /**
   * The URL people and tools reach the operator surface at (for example through a TLS proxy). Its host joins the
   * Host allowlist, its origin is accepted for state-changing requests, and an `https:` URL makes cookies Secure.
   */
  publicUrl?: string;
  /** More Host names to accept (DNS-rebinding defence); IP literals and `localhost` are always accepted. */
  allowedHosts?: string[];
  /**
   * How people and tools sign in. `none`: nobody signs in (loopback only, or `insecure`); `token`: API tokens
   * (`junction token create`) as bearer tokens; `oidc`: OpenID Connect for people, API tokens for tools. A valid API
   * token is honoured in every mode. @default none
   */
  auth?: OperatorAuthMode;
  /** Required with `auth: 'oidc'`. */
  oidc?: OidcOptions;
  /** How long a dashboard session lasts. @default 8 hours */
  sessionTtlMs?: number;
  /** Serve an unauthenticated operator surface on a non-loopback address anyway. Never in production. */
  insecure?: boolean;
  /** Limits on failed sign-ins (docs/operator-access.md, "Failed sign-ins"). */
  signInThrottle?: SignInThrottleOptions;
}

export type OperatorAuthMode = 'none' | 'token' | 'oidc';
export const OPERATOR_AUTH_MODES: readonly OperatorAuthMode[] = ['none', 'token', 'oidc'];

export interface ResolvedOperatorOptions {
  port: number;
  host: string;
  publicUrl?: URL;
  allowedHosts: ReadonlySet<string>;
  allowedOrigins: ReadonlySet<string>;
  auth: OperatorAuthMode;
  oidc?: OidcOptions;
  sessionTtlMs: number;
  insecure: boolean;
  signInThrottle: ResolvedSignInThrottle;
}

/** Raised when the operator surface would be served unauthenticated beyond loopback, or is misconfigured. */
export class OperatorConfigError extends Error {
  override name = 'OperatorConfigError';
}

const DEFAULT_OPERATOR_PORT = 8081;

export function resolveOperatorOptions(options: OperatorOptions = {}): ResolvedOperatorOptions {
  let publicUrl: URL | undefined;
  if (options.publicUrl !== undefined) {
    try {
      publicUrl = new URL(options.publicUrl);
    } catch {
      throw new OperatorConfigError(`--operator-url must be a URL, got ${JSON.stringify(options.publicUrl)}`);
    }
    if (publicUrl.protocol !== 'http:' && publicUrl.protocol !== 'https:')
      throw new OperatorConfigError(`--operator-url must be http(s), got ${publicUrl.protocol}`);
  }
  const hosts = (options.allowedHosts ?? []).map((h) => h.trim().toLowerCase()).filter(Boolean);
  if (publicUrl) hosts.push(publicUrl.hostname.toLowerCase().replace(/^\[|\]$/g, ''));
  return {
    port: options.port ?? DEFAULT_OPERATOR_PORT,
    host: options.host ?? '127.0.0.1',
    publicUrl,
    allowedHosts: new Set(hosts),
    allowedOrigins: new Set(publicUrl ? [publicUrl.origin.toLowerCase()] : []),
    auth: options.auth ?? 'none',
    oidc: checkedOidc(options),
    sessionTtlMs: options.sessionTtlMs ?? 8 * 3600_000,
    insecure: options.insecure ?? false,
    signInThrottle: checkedThrottle(options.signInThrottle),
  };
}

/** Whether an address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare === '::ffff:127.0.0.1';
}

function checkedThrottle(options: SignInThrottleOptions = {}): ResolvedSignInThrottle {
  const resolved = { ...SIGN_IN_THROTTLE_DEFAULTS, ...options };
  for (const name of ['perAddress', 'global', 'windowMs', 'maxAddresses'] as const)
    if (!Number.isInteger(resolved[name]) || resolved[name] < 1)
      throw new OperatorConfigError(`signInThrottle.${name} must be a positive integer, got ${resolved[name]}`);
  return resolved;
}

function checkedOidc(options: OperatorOptions): OidcOptions | undefined {
  if (options.auth !== 'oidc') return undefined;
  const o = options.oidc;
  if (!o?.issuer || !o.clientId)
    throw new OperatorConfigError('--operator-auth oidc needs --oidc-issuer and --oidc-client-id');
  const issuer = URL.parse(o.issuer);
  if (!issuer || !(issuer.protocol === 'https:' || (issuer.protocol === 'http:' && isLoopback(issuer.hostname))))
    throw new OperatorConfigError(`--oidc-issuer must be an https URL (http only on loopback), got ${o.issuer}`);
  if (o.operators.length === 0 && o.viewers.length === 0)
    throw new OperatorConfigError('OIDC sign-in needs --oidc-operators and/or --oidc-viewers: nobody would get a role');
  return o;
}
