/**
 * Every HTTP request resolves its URL against the connection's base URL and records URL and path redacted. The base
 * URL is parsed once and kept (engine/http/request-url.ts), and redaction does not search a text for user info or
 * bearer/basic credentials that cannot be in it (engine/http/redact.ts). Both must answer exactly what the full work
 * gave: a fresh copy of the module parses the base on its first call, and the redaction functions below search as
 * before; every case is compared with them.
 */
import { describe, expect, it, vi } from 'vitest';
import { MIN_SECRET_LENGTH, REDACTED, isSecretKey, redactText, redactUrl } from '../../engine/http/redact.js';
import { OutboundBlockedError } from '../../engine/http/outbound-guard.js';
import { requestUrl } from '../../engine/http/request-url.js';
import type { OutboundRequest } from '../../engine/sdk/connector.js';

/** `requestUrl` of a fresh copy of its module, whose first call parses the base as every call did before. */
async function freshRequestUrl(baseUrl: string, outbound: OutboundRequest) {
  vi.resetModules();
  const fresh = await import('../../engine/http/request-url.js');
  return outcome(() => fresh.requestUrl(baseUrl, outbound));
}

function fullRedactText(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= MIN_SECRET_LENGTH) out = out.split(secret).join(REDACTED);
  return out.replace(/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${REDACTED}`);
}

function fullRedactUrl(url: string, secrets: readonly string[]): string {
  const all = [...secrets, ...secrets.map(encodeURIComponent)];
  const withoutUser = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, `$1${REDACTED}@`);
  const q = withoutUser.indexOf('?');
  if (q < 0) return fullRedactText(withoutUser, all);
  const params = new URLSearchParams(withoutUser.slice(q + 1));
  const keys = [...params.keys()].filter(isSecretKey);
  if (keys.length === 0) return fullRedactText(withoutUser, all);
  for (const key of keys) params.set(key, REDACTED);
  return fullRedactText(`${withoutUser.slice(0, q)}?${params.toString()}`, all);
}

function outcome<T>(work: () => T): { value: T } | { error: string } {
  try {
    return { value: work() };
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

const BASES = [
  'http://127.0.0.1:41234',
  'https://erp.example.com/api/v2',
  'https://erp.example.com/api/v2/',
  'https://user:pw@erp.example.com/base',
  'HTTPS://Erp.Example.COM:443/Mixed/Case',
  'https://erp.example.com/a%20b',
  'not a url',
  '',
];
const REQUESTS: OutboundRequest[] = [
  { method: 'PUT', path: '/orders/order-100000123' },
  { method: 'GET', path: '/orders', query: { page: 2, q: 'a b&c' } },
  { method: 'GET', path: '/api/v2/x' },
  { method: 'GET', path: '' },
  { method: 'GET', path: 'https://erp.example.com/api/v2/next?cursor=abc', query: { limit: 5 } },
  { method: 'GET', path: 'https://elsewhere.example.com/steal' },
  { method: 'GET', path: 'http://127.0.0.1:41234/orders?x=1' },
];

describe('the request URL with its base parsed once', () => {
  it('resolves every request against every base as parsing the base each time did, errors included', async () => {
    for (let round = 0; round < 2; round++)
      for (const base of BASES)
        for (const request of REQUESTS)
          expect(
            outcome(() => requestUrl(base, request)),
            `${base} ${request.path}`,
          ).toEqual(await freshRequestUrl(base, request));
  });

  it('keeps bases apart: one path against two bases, alternately', () => {
    const request = { method: 'GET' as const, path: '/../v3/orders' };
    for (let round = 0; round < 2; round++) {
      expect(requestUrl('https://a.example.com/api', request).path).toBe('/v3/orders');
      expect(requestUrl('https://a.example.com/api/v2', request).path).toBe('/api/v3/orders');
    }
  });
});

describe('redaction that skips searches that cannot match', () => {
  const SECRETS = [[], ['s3cr3t-value'], ['a b/c?'], ['abc'], ['é'], ['Bearer']];
  const TEXTS = [
    'http://127.0.0.1:41234/orders/order-100000123',
    '/orders/order-100000123',
    'https://user:pw@erp.example.com/x',
    'HTTPS://USER@erp.example.com/x',
    'https://erp.example.com/x?email=a@b.c',
    'https://erp.example.com/s3cr3t-value/x?token=t&page=1',
    'https://erp.example.com/a%20b%2Fc%3F/x',
    'https://erp.example.com/%C3%A9',
    'Authorization: Bearer abc.def-ghi and Basic dXNlcjpwdw==',
    'bearer lower case stays',
    'Bearer\tTAB',
    'BasicNoSpace',
    'mailto:someone@example.com',
    '',
  ];

  it('masks URLs and paths as the full search did', () => {
    for (const secrets of SECRETS)
      for (const text of TEXTS)
        expect(redactUrl(text, secrets), `${text} ${secrets.join()}`).toBe(fullRedactUrl(text, secrets));
  });

  it('masks text as the full search did', () => {
    for (const secrets of SECRETS)
      for (const text of TEXTS)
        expect(redactText(text, secrets), `${text} ${secrets.join()}`).toBe(fullRedactText(text, secrets));
  });
});

describe('a request target built without a parse', () => {
  /** `requestUrl` as it was before: the URL sent, parsed every time (and refused on another origin). */
  function parsedEveryTime(baseUrl: string, path: string, query: string) {
    const url = baseUrl + path + query;
    const parsed = new URL(url);
    const origin = new URL(baseUrl).origin;
    if (parsed.origin !== origin)
      throw new OutboundBlockedError(
        `${parsed.origin} is not the connection's origin ${origin}; requests never leave the base URL's host`,
      );
    const basePath = new URL(baseUrl).pathname.replace(/\/$/, '');
    const pathname = parsed.pathname.startsWith(basePath) ? parsed.pathname.slice(basePath.length) : parsed.pathname;
    return { url, path: pathname + parsed.search, target: fields(parsed) };
  }
  function fields(t: { [K in 'protocol' | 'host' | 'hostname' | 'port' | 'origin' | 'pathname' | 'search']: string }) {
    const { protocol, host, hostname, port, origin, pathname, search } = t;
    return { protocol, host, hostname, port, origin, pathname, search };
  }

  // Every printable ASCII character, controls, non-ASCII and the pieces of dot segments (`.`, `%2e`, `%2E`).
  const PIECES = [
    ...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)),
    '\t',
    '\n',
    '\u0000',
    'é',
    '日',
    '/',
    '/',
    '.',
    '..',
    '%2e',
    '%2E',
    '%',
    'ab',
    '12',
  ];
  const PLAIN_BASES = [
    'http://127.0.0.1:41234',
    'http://127.0.0.1:41234/',
    'https://erp.example.com/api/v2',
    'https://erp.example.com/api/v2/',
    'https://erp.example.com/a.b/%7Ex',
  ];
  // The parser rewrites these (case, default port, user info, an empty query or fragment): they are parsed as before.
  const OTHER_BASES = [
    'HTTPS://Erp.Example.COM/x',
    'http://h.example.com:80/x',
    'https://user:pw@erp.example.com/base',
    'https://erp.example.com/a?',
    'https://erp.example.com/a#',
    'https://erp.example.com/a/./b',
  ];
  const QUERIES = ['', '?page=2&q=a+b%26c', '?x=%C3%A9'];

  it('is what the parse of the URL gives, for 20,000 random paths on plain and other bases', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let built = 0;
    for (let n = 0; n < 20_000; n++) {
      let path = random() < 0.9 ? '/' : '';
      const length = Math.floor(random() * 12);
      for (let i = 0; i < length; i++) {
        // Mostly characters a path keeps, so that most paths take the way without a parse.
        const piece =
          random() < 0.7
            ? 'a-b_c.~!$&()*+,;=:@%/12'[Math.floor(random() * 23)]!
            : PIECES[Math.floor(random() * PIECES.length)]!;
        path += piece;
      }
      const bases = n % 4 === 0 ? OTHER_BASES : PLAIN_BASES;
      const base = bases[n % bases.length]!;
      const query = QUERIES[n % QUERIES.length]!;
      const outbound: OutboundRequest = {
        method: 'GET',
        path,
        ...(query ? { query: Object.fromEntries(new URLSearchParams(query.slice(1))) } : {}),
      };
      const expected = outcome(() => parsedEveryTime(base, path, query));
      const got = outcome(() => {
        const r = requestUrl(base, outbound);
        if (!(r.target instanceof URL)) built++;
        return { url: r.url, path: r.path, target: fields(r.target) };
      });
      expect(got, `${base} ${JSON.stringify(path)} ${query}`).toEqual(expected);
    }
    // Most of them took the way without a parse, so it was the one compared.
    expect(built).toBeGreaterThan(8_000);
  });

  it('is built for the bench order path on a loopback base, and a dot segment or a base with `?` is parsed', () => {
    const plain = requestUrl('http://127.0.0.1:41234', { method: 'PUT', path: '/orders/order-100000123' });
    expect(plain.target).not.toBeInstanceOf(URL);
    expect(plain.target.pathname).toBe('/orders/order-100000123');
    expect(requestUrl('http://127.0.0.1:41234', { method: 'GET', path: '/a/%2E%2e/b' }).target).toBeInstanceOf(URL);
    const query = requestUrl('https://erp.example.com/a?', { method: 'GET', path: '/orders' });
    expect(query.target).toBeInstanceOf(URL);
    expect(query.target.search).toBe('?/orders');
  });
});
