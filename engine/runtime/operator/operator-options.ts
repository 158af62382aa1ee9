/**
 * Options of the operator listener (dashboard, `/api/*`, `/metrics`), user options -> resolved options. The
 * listener binds loopback by default; anywhere else it must authenticate, and the engine refuses to start otherwise
 * unless told `insecure` (then it warns loudly).
 */
import { isIP } from 'node:net';

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
  /** Serve an unauthenticated operator surface on a non-loopback address anyway. Never in production. */
  insecure?: boolean;
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
  insecure: boolean;
}

/** Raised when the operator surface would be served unauthenticated beyond loopback, or is misconfigured. */
export class OperatorConfigError extends Error {
  override name = 'OperatorConfigError';
}

export const DEFAULT_OPERATOR_PORT = 8081;

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
    insecure: options.insecure ?? false,
  };
}

/** Whether an address only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  return bare === '::1' || bare === '::ffff:127.0.0.1';
}
