/**
 * Security item: malformed request paths are the client's mistake. A bad percent-escape in `/hooks/<name>` (which
 * made `decodeURIComponent` throw a URIError) and a request target that is not a URL get 400 with a reason, not a 500
 * and an error log line per request (log flooding). And the route's shortcut for plain `/hooks/<name>` targets agrees
 * with the URL parser's reading of every target.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../engine/runtime/ingest/http-server.js';
import type { HttpServerHandle, PublicApi } from '../../engine/runtime/ingest/http-server.js';
import { DEFAULT_TUNING } from '../../engine/runtime/runtime-options.js';
import { prng as seeded } from '../transform/fuzz-generator.js';

let server: HttpServerHandle | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function stubApi(ingested: string[]): PublicApi {
  return {
    ingest: async (name) => {
      ingested.push(name);
      return { status: 202, body: { ok: true } };
    },
    readiness: () => ({ ready: true, reasons: [] }),
    gitWebhook: async () => ({ status: 404, body: {} }),
  };
}

/** Sends one raw HTTP/1.1 request (so the request target is exactly as written) and returns the response text. */
function rawRequest(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () =>
      socket.write(`POST ${target} HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`),
    );
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
}

describe('malformed request paths', () => {
  it('answer 400 with a reason, never reach ingest and log nothing', async () => {
    const ingested: string[] = [];
    const errors: unknown[] = [];
    server = await startHttpServer(stubApi(ingested), {
      port: 0,
      host: '127.0.0.1',
      keepAliveMs: DEFAULT_TUNING.httpKeepAliveMs,
      onError: (e) => errors.push(e),
    });
    const escape = await fetch(`${server.url}/hooks/%E0%A4%A`, { method: 'POST', body: '{}' });
    expect(escape.status).toBe(400);
    expect(await escape.json()).toEqual({ error: 'bad-path', message: 'malformed percent-escape' });
    const target = await rawRequest(server.port, '//[');
    expect(target.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(target).toContain('{"error":"bad-path","message":"not a valid path"}');
    // A well-formed escape still decodes.
    expect((await fetch(`${server.url}/hooks/orders%2Dv2`, { method: 'POST', body: '{}' })).status).toBe(202);
    expect(ingested).toEqual(['orders-v2']);
    expect(errors).toEqual([]);
  });

  it('routes each POST target as the URL parser reads it, plain `/hooks/<name>` targets included', async () => {
    const ingested: string[] = [];
    server = await startHttpServer(stubApi(ingested), {
      port: 0,
      host: '127.0.0.1',
      keepAliveMs: DEFAULT_TUNING.httpKeepAliveMs,
    });
    const random = seeded(16);
    const targets = [
      '/hooks/orders',
      '/hooks/orders/',
      '/hooks/git',
      '/hooks/git/',
      '/hooks/.',
      '/hooks/..',
      '/hooks/~a',
    ];
    for (let i = 0; i < 400; i++) targets.push(randomTarget(random));
    for (const target of targets) {
      const before = ingested.length;
      const response = await rawRequest(server.port, target);
      const expected = routeByUrl(target);
      const status = Number(response.split(' ')[1]);
      const body = response.slice(response.indexOf('\r\n\r\n') + 4);
      expect({ target, status, body, ingested: ingested.slice(before) }).toEqual({
        target,
        status: expected.status,
        body: JSON.stringify(expected.body),
        ingested: expected.name === undefined ? [] : [expected.name],
      });
    }
  });
});

/** What a POST to `target` gets, read through the URL parser as the route's general path does (stubApi's answers). */
function routeByUrl(target: string): { status: number; body: unknown; name?: string } {
  const url = URL.parse(target, 'http://engine');
  if (!url) return { status: 400, body: { error: 'bad-path', message: 'not a valid path' } };
  if (url.pathname === '/hooks/git') return { status: 404, body: {} };
  const hook = /^\/hooks\/([^/]+)\/?$/.exec(url.pathname);
  if (!hook) return { status: 404, body: { error: 'no-route', message: `no route POST ${url.pathname}` } };
  let name: string;
  try {
    name = decodeURIComponent(hook[1]!);
  } catch {
    return { status: 400, body: { error: 'bad-path', message: 'malformed percent-escape' } };
  }
  return { status: 202, body: { ok: true }, name };
}

const STARTS = ['/hooks/', '/hooks/', '/hooks/', '/hooks', '/hooks//', '/', '/Hooks/', '/hooks/./'];
const PIECES = [
  'a',
  'Z',
  '0',
  '.',
  '..',
  '-',
  '_',
  '~',
  'git',
  '%41',
  '%2e',
  '%2F',
  '%E0%A4%A',
  '%',
  '?x=1',
  '?challenge=1',
];
const MORE = ['/', '//', '!', '$', "'", '(', '*', '+', ',', ';', '=', '@', ':', '[', '{', '|', '^', '`'];

/** `/hooks/`-like starts, then 0-4 pieces of names, escapes, dots, queries and characters the parser may escape. */
function randomTarget(random: () => number): string {
  const pick = (list: string[]) => list[Math.floor(random() * list.length)]!;
  let target = pick(STARTS);
  for (let n = Math.floor(random() * 5); n > 0; n--) target += random() < 0.75 ? pick(PIECES) : pick(MORE);
  return target;
}
