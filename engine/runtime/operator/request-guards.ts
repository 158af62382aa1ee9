/**
 * Checks every request to the operator listener passes before any route runs:
 * - a Host allowlist against DNS rebinding (a page on `evil.example` that re-points its name to 127.0.0.1 still
 *   sends `Host: evil.example`): IP literals, `localhost` and the configured names only, else 421;
 * - cross-origin protection for state-changing requests made with ambient credentials (a session cookie, or none on
 *   loopback): `Sec-Fetch-Site` must say same-origin, or, from browsers that do not send it, `Origin` must be this
 *   listener's own origin, else 403. The same algorithm as Go's `net/http.CrossOriginProtection`. Requests without
 *   either header are not from a browser, so they cannot be forged by a web page;
 * - headers that forbid framing (clickjacking of the Replay button) and MIME sniffing on every answer.
 */
import { isIP } from 'node:net';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/** Sent with every operator answer. */
export const SECURITY_HEADERS: OutgoingHttpHeaders = {
  'content-security-policy': "frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

type GuardRefusal = { status: 421 | 403; error: string; message: string };

/** The host part of a Host header (`[::1]:8081` -> `::1`, `Example.com:80` -> `example.com`). */
function hostName(header: string): string {
  const host = header.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon >= 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/** Whether a request's Host may reach the operator surface. */
function hostAllowed(header: string | undefined, allowedHosts: ReadonlySet<string>): boolean {
  if (!header) return false;
  const name = hostName(header).replace(/\.$/, '');
  return isIP(name) !== 0 || name === 'localhost' || allowedHosts.has(name);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Refuses a forged cross-origin request; undefined when the request may go on. */
export function crossOriginRefusal(
  req: IncomingMessage,
  allowedOrigins: ReadonlySet<string>,
): GuardRefusal | undefined {
  if (SAFE_METHODS.has(req.method ?? 'GET')) return undefined;
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return undefined;
    return forbidden(`a ${site} request cannot change anything here (Sec-Fetch-Site: ${site})`);
  }
  const origin = header(req, 'origin');
  if (origin === undefined) return undefined;
  // Behind a TLS proxy the scheme differs from what this listener sees, so the host is what must match.
  if (originHost(origin) === (header(req, 'host') ?? '').toLowerCase() || allowedOrigins.has(origin.toLowerCase()))
    return undefined;
  return forbidden(`a request from origin ${origin} cannot change anything here`);
}

/** The Host check as a refusal. */
export function hostRefusal(req: IncomingMessage, allowedHosts: ReadonlySet<string>): GuardRefusal | undefined {
  if (hostAllowed(header(req, 'host'), allowedHosts)) return undefined;
  return {
    status: 421,
    error: 'host-not-allowed',
    message:
      `Host ${JSON.stringify(header(req, 'host') ?? '')} is not served here; ` +
      'add it with --operator-allowed-hosts or --operator-url',
  };
}

function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined; // `null` (sandboxed frames, some redirects) is never our origin
  }
}

function forbidden(message: string): GuardRefusal {
  return { status: 403, error: 'cross-origin-refused', message };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
