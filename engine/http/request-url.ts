/**
 * Where an operation's request goes: the connection's base URL plus the operation's path and query. An absolute URL
 * (a vendor's `nextRecordsUrl`, say) is accepted only on the base URL's own origin, so a response can never send
 * the client, with its credentials, to another host.
 */
import type { OutboundRequest } from '../sdk/connector.js';
import { OutboundBlockedError } from './outbound-guard.js';

/** The absolute URL and the path (with query) relative to the base URL, as plans show it. */
export interface RequestUrl {
  url: string;
  path: string;
  /** `url` parsed: the outbound guard and the transport read it rather than parse `url` again each. */
  target: URL;
}

/** Resolves `outbound` against `baseUrl` (no trailing slash); throws OutboundBlockedError for another origin. */
export function requestUrl(baseUrl: string, outbound: OutboundRequest): RequestUrl {
  const base = parsedBase(baseUrl);
  let url: string;
  if (/^https?:\/\//i.test(outbound.path)) {
    const target = new URL(outbound.path);
    if (target.origin !== base.origin)
      throw new OutboundBlockedError(
        `${target.origin} is not the connection's origin ${base.origin}; requests never leave the base URL's host`,
      );
    url =
      target.toString() +
      (target.search ? queryString(outbound.query).replace(/^\?/, '&') : queryString(outbound.query));
  } else {
    url = baseUrl + outbound.path + queryString(outbound.query);
  }
  const parsed = new URL(url);
  const path = parsed.pathname.startsWith(base.path) ? parsed.pathname.slice(base.path.length) : parsed.pathname;
  return { url, path: path + parsed.search, target: parsed };
}

/** What a request needs of its base URL: its origin and its path without a trailing `/`. */
interface BaseUrl {
  origin: string;
  path: string;
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
    if (bases.size >= BASES_KEPT) bases.clear();
    bases.set(baseUrl, base);
  }
  return base;
}

/** `?a=1&b=2` in the order given (URLSearchParams encoding), or '' when there is nothing to send. */
export function queryString(query: OutboundRequest['query']): string {
  if (!query || Object.keys(query).length === 0) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) params.append(key, String(value));
  return '?' + params.toString();
}
