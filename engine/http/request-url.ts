/**
 * Where an operation's request goes: the connection's base URL plus the operation's path and query. An absolute URL
 * (a vendor's `nextRecordsUrl`, say) is accepted only on the base URL's own origin, and so is a relative one once
 * joined to the base (`@evil.example/x` would make the base its user info), so a response can never send the
 * client, with its credentials, to another host.
 */
import type { OutboundRequest } from '../sdk/connector.js';
import { OutboundBlockedError } from './outbound-guard.js';

/** What the outbound guard and the transport read of a request's URL. */
export type RequestTarget = Pick<URL, 'protocol' | 'host' | 'hostname' | 'port' | 'origin' | 'pathname' | 'search'>;

/** The absolute URL and the path (with query) relative to the base URL, as plans show it. */
interface RequestUrl {
  url: string;
  path: string;
  /**
   * `url` parsed: the outbound guard and the transport read it rather than parse `url` again each. A `URL`, or for a
   * plain path on a plain base URL the same fields without a parse (see `plainTarget`).
   */
  target: RequestTarget;
}

/** Resolves `outbound` against `baseUrl` (no trailing slash); throws OutboundBlockedError for another origin. */
export function requestUrl(baseUrl: string, outbound: OutboundRequest): RequestUrl {
  const base = parsedBase(baseUrl);
  let url: string;
  if (/^https?:\/\//i.test(outbound.path)) {
    const target = new URL(outbound.path);
    if (target.origin !== base.origin) throw notOurOrigin(target.origin, base.origin);
    url =
      target.toString() +
      (target.search ? queryString(outbound.query).replace(/^\?/, '&') : queryString(outbound.query));
  } else {
    const query = queryString(outbound.query);
    url = baseUrl + outbound.path + query;
    const target = plainTarget(base, outbound.path, query);
    if (target) return { url, path: relative(base, target.pathname) + query, target };
  }
  const parsed = new URL(url);
  // A relative path joined to the base can still name another host (`@evil.example/x`, `.evil.example/x`).
  if (parsed.origin !== base.origin) throw notOurOrigin(parsed.origin, base.origin);
  return { url, path: relative(base, parsed.pathname) + parsed.search, target: parsed };
}

const notOurOrigin = (origin: string, base: string) =>
  new OutboundBlockedError(
    `${origin} is not the connection's origin ${base}; requests never leave the base URL's host`,
  );

/** A request's path relative to the base URL's path. */
function relative(base: BaseUrl, pathname: string): string {
  return pathname.startsWith(base.path) ? pathname.slice(base.path.length) : pathname;
}

/** What a request needs of its base URL: its origin and its path without a trailing `/`. */
interface BaseUrl {
  origin: string;
  path: string;
  /**
   * The base's parts, when the URL parser leaves the base text as it is (see `plainTarget`), with the path as written
   * (`''` for none).
   */
  plain?: Omit<RequestTarget, 'search'>;
}

/**
 * Characters of a path that the URL parser keeps as they are (RFC 3986's unreserved and sub-delims, `:`, `@`, `/`
 * and `%`): no space, quote, `<>`, backtick, braces, `\`, `^`, `|`, `?`, `#`, control or non-ASCII character, each of
 * which it percent-encodes, cuts or rewrites.
 */
const PLAIN_PATH = /^\/[\w\-.~!$&'()*+,;=:@%/]*$/;
/** A `.` or `..` segment, which the parser resolves, or a `%2e` (it reads `%2e%2e` as `..`). */
const DOT_SEGMENT = /\/\.\.?(?:\/|$)|%2e/i;

/**
 * The parsed URL of `base + path + query` without parsing it, for a path starting with `/` made only of characters
 * the parser keeps, with no dot segment, on a base the parser keeps as written (lower-case scheme and host, no
 * default port, no query, fragment or user info): the parser would join them unchanged, so its path is the base's
 * plus `path` and its search is `query` (URLSearchParams text, which it keeps too). Undefined otherwise: `new URL`
 * decides. A parse per request was about 1-2 µs (docs/performance.md, "Delivery CPU cuts, session 14").
 */
function plainTarget(base: BaseUrl, path: string, query: string): RequestTarget | undefined {
  const plain = base.plain;
  if (!plain || !PLAIN_PATH.test(path) || DOT_SEGMENT.test(path)) return undefined;
  const { protocol, host, hostname, port, origin, pathname } = plain;
  return { protocol, host, hostname, port, origin, pathname: pathname + path, search: query };
}

/**
 * Base URLs parsed once: every call of a connection has the same one, and a base URL is parsed the same way each
 * time (one that does not parse throws here, as `new URL` does, and is not kept).
 */
const bases = new Map<string, BaseUrl>();
const BASES_KEPT = 1_000;

function parsedBase(baseUrl: string): BaseUrl {
  let base = bases.get(baseUrl);
  if (!base) {
    const parsed = new URL(baseUrl);
    base = { origin: parsed.origin, path: parsed.pathname.replace(/\/$/, '') };
    // Kept as written: with its path, or without one (the parser writes `/` for none).
    const written = parsed.href === baseUrl ? parsed.pathname : parsed.href === `${baseUrl}/` ? '' : undefined;
    // An empty `?` or `#` leaves no search or hash, but what follows the base would land in it.
    const bare = !baseUrl.includes('?') && !baseUrl.includes('#') && !parsed.username && !parsed.password;
    if (written !== undefined && bare) {
      const { protocol, host, hostname, port, origin } = parsed;
      base.plain = { protocol, host, hostname, port, origin, pathname: written };
    }
    if (bases.size >= BASES_KEPT) bases.clear();
    bases.set(baseUrl, base);
  }
  return base;
}

/** `?a=1&b=2` in the order given (URLSearchParams encoding), or '' when there is nothing to send. */
function queryString(query: OutboundRequest['query']): string {
  if (!query || Object.keys(query).length === 0) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) params.append(key, String(value));
  return '?' + params.toString();
}
