/**
 * Security item: malformed request paths are the client's mistake. A bad percent-escape in `/hooks/<name>` (which
 * made `decodeURIComponent` throw a URIError) and a request target that is not a URL get 400 with a reason, not a 500
 * and an error log line per request (log flooding).
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpServer } from '../../engine/runtime/ingest/http-server.js';
import type { HttpServerHandle, PublicApi } from '../../engine/runtime/ingest/http-server.js';
import { DEFAULT_TUNING } from '../../engine/runtime/runtime-options.js';

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
    ready: () => true,
    gitWebhook: async () => ({ status: 404, body: {} }),
  };
}

/** Sends one raw HTTP/1.1 request (so the request target is exactly as written) and returns the status line. */
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
});
