/** The shared HTTP stack on its own: what it sends to the transport, and how it guards, redacts and classifies. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import { PUBLIC_ONLY, assertOutboundAllowed, guardedLookup } from '../../engine/http/outbound-guard.js';
import type { OutboundPolicy } from '../../engine/http/outbound-guard.js';
import { TokenBucket } from '../../engine/http/rate-limiter.js';
import { REDACTED, redactBody, redactFields, redactHeaders, redactText, redactUrl } from '../../engine/http/redact.js';
import { parseRetryAfter } from '../../engine/http/retry-after.js';
import type { HttpCallEvent } from '../../engine/http/telemetry.js';
import { TransportError, createUndiciTransport } from '../../engine/http/transport.js';
import type { CallContext, Transport, TransportRequest, TransportResponse } from '../../engine/http/transport.js';
import { ConnectorError } from '../../engine/sdk/index.js';
import type { AuthSpec, CompiledConnection } from '../../engine/compiler/compiled-spec.js';
import type { OperationCall } from '../../engine/sdk/connector.js';
import { failure, registry } from '../connectors/connector-fixtures.js';

const json = (status: number, body: unknown, headers: Record<string, string> = {}): TransportResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: body === undefined ? '' : JSON.stringify(body),
});
const connection = (type: string, auth: AuthSpec, extra: Partial<CompiledConnection> = {}): CompiledConnection => ({
  name: 'target',
  type,
  baseUrl: 'https://api.example.com',
  auth,
  timeoutMs: 1000,
  commitWindowMs: 0,
  options: {},
  file: 'test',
  ...extra,
});
const OPEN: OutboundPolicy = { allowPrivateNetwork: true, allowedHosts: [] };
const bearer: AuthSpec = { type: 'bearer', token: '${env:TOKEN}' };
const env = { TOKEN: 'tok-123456' };

/** A transport that records what it receives and answers from a list. */
function scripted(...answers: (TransportResponse | Error)[]) {
  const seen: { request: TransportRequest; context: CallContext }[] = [];
  const transport: Transport = async (request, context) => {
    seen.push({ request, context });
    const next = answers.shift() ?? json(200, {});
    if (next instanceof Error) throw next;
    return next;
  };
  return { transport, seen };
}

describe('the client above the transport', () => {
  it('hands the transport the exact request and the call context (the dry run keys fixtures by it)', async () => {
    const { transport, seen } = scripted(json(201, { id: 'B-1' }));
    const client = createConnectionClient({
      connection: connection('http', bearer),
      connector: registry.get('http')!,
      transport,
      env,
    });
    const result = await client.call(
      'post',
      { params: { path: '/orders' }, body: { id: 'B-1' } },
      { integration: 'orders', stepId: 'create', index: 2, idempotencyKey: 'evt-9:create:2' },
    );
    expect(seen).toEqual([
      {
        request: {
          method: 'POST',
          url: 'https://api.example.com/orders',
          target: expect.any(Object),
          headers: {
            accept: 'application/json',
            'content-type': 'application/json',
            'idempotency-key': 'evt-9:create:2',
            authorization: 'Bearer tok-123456',
          },
          body: '{"id":"B-1"}',
          timeoutMs: 1000,
        },
        context: { integration: 'orders', stepId: 'create', index: 2, idempotencyKey: 'evt-9:create:2' },
      },
    ]);
    // The URL parsed once, for the outbound guard and the transport: the parse of the URL sent (here built without a
    // parse, engine/http/request-url.ts), field for field.
    const sentUrl = new URL('https://api.example.com/orders');
    const { protocol, host, hostname, port, origin, pathname, search } = seen[0]!.request.target!;
    expect({ protocol, host, hostname, port, origin, pathname, search }).toEqual({
      protocol: sentUrl.protocol,
      host: sentUrl.host,
      hostname: sentUrl.hostname,
      port: sentUrl.port,
      origin: sentUrl.origin,
      pathname: sentUrl.pathname,
      search: sentUrl.search,
    });
    expect(result.request).toEqual({
      method: 'POST',
      url: 'https://api.example.com/orders',
      path: '/orders',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        'idempotency-key': 'evt-9:create:2',
        authorization: REDACTED,
      },
      body: { id: 'B-1' },
    });
    expect(result.result).toEqual({ id: 'B-1' });
  });

  it('passes a ConnectorError from the transport through unchanged, with the request attached', async () => {
    const fixtureError = new ConnectorError(
      'no-recorded-response',
      'no recorded response for step create',
      'permanent',
    );
    const { transport } = scripted(fixtureError);
    const error = await failure(
      createConnectionClient({
        connection: connection('http', bearer),
        connector: registry.get('http')!,
        transport,
        env,
      }).call('get', { params: { path: '/orders' }, body: {} }),
    );
    expect(error).toBe(fixtureError);
    expect(error.request?.url).toBe('https://api.example.com/orders');
  });

  it('never follows a next-page URL to another origin, and refuses redirects', async () => {
    const { transport, seen } = scripted(
      json(200, {
        totalSize: 2,
        done: false,
        records: [{}],
        nextRecordsUrl: 'https://evil.example.net/services/data/v60.0/query/01g-2',
      }),
      json(302, undefined, { location: 'https://evil.example.net/' }),
    );
    const sf = createConnectionClient({
      connection: connection('salesforce', bearer),
      connector: registry.get('salesforce')!,
      transport,
      env,
    });
    expect(await failure(sf.call('query', { params: {}, body: { q: 'SELECT Id FROM Account' } }))).toMatchObject({
      code: 'outbound-blocked',
      disposition: 'permanent',
    });
    expect(seen).toHaveLength(1);
    expect(await failure(sf.call('query', { params: {}, body: { q: 'SELECT Id FROM Account' } }))).toMatchObject({
      code: 'redirect-refused',
      disposition: 'permanent',
      status: 302,
    });
  });

  it('never follows a relative next-page URL that names another host once joined to the base URL', async () => {
    // `https://api.example.com` + `@evil.example.net/…` makes the base the user info of a URL on evil.example.net.
    for (const next of ['@evil.example.net/services/data/v60.0/query/01g-2', '.evil.example.net/query/01g-2']) {
      const { transport, seen } = scripted(
        json(200, { totalSize: 2, done: false, records: [{}], nextRecordsUrl: next }),
      );
      const sf = createConnectionClient({
        connection: connection('salesforce', bearer),
        connector: registry.get('salesforce')!,
        transport,
        env,
      });
      const error = await failure(sf.call('query', { params: {}, body: { q: 'SELECT Id FROM Account' } }));
      expect(error).toMatchObject({ code: 'outbound-blocked', disposition: 'permanent' });
      const named = /^https:\/\/(evil|api\.example\.com\.evil)\.example\.net is not the connection's origin/;
      expect(error.message).toMatch(named);
      expect(seen.map((s) => s.request.url)).toEqual([
        'https://api.example.com/services/data/v60.0/query?q=SELECT+Id+FROM+Account',
      ]);
    }
  });

  it('classifies 408 as a retryable timeout, an unknown operation and a missing secret as permanent', async () => {
    const { transport } = scripted(json(408, { message: 'request timeout' }));
    const http = createConnectionClient({
      connection: connection('http', bearer),
      connector: registry.get('http')!,
      transport,
      env,
    });
    expect(await failure(http.call('get', { params: { path: '/x' }, body: {} }))).toMatchObject({
      code: 'timeout',
      disposition: 'retryable',
      status: 408,
    });
    expect(await failure(http.call('nope', { params: {}, body: {} }))).toMatchObject({
      code: 'unknown-operation',
      disposition: 'permanent',
    });
    const unset = createConnectionClient({
      connection: connection('http', bearer),
      connector: registry.get('http')!,
      transport,
      env: {},
    });
    expect(await failure(unset.call('get', { params: { path: '/x' }, body: {} }))).toMatchObject({
      code: 'missing-secret',
      disposition: 'permanent',
      message: 'environment variable TOKEN is not set (referenced as ${env:TOKEN})',
    });
  });

  it('leaves the outcome unknown after a 500 or a gateway 502/504, but not after a 503 or a 4xx', async () => {
    const statuses = [500, 502, 503, 504, 400];
    const { transport } = scripted(...statuses.map((status) => json(status, { message: 'x' })));
    const http = createConnectionClient({
      connection: connection('http', bearer),
      connector: registry.get('http')!,
      transport,
      env,
    });
    const unknown = [];
    for (const _ of statuses)
      unknown.push((await failure(http.call('post', { params: { path: '/x' }, body: {} }))).outcomeUnknown);
    expect(unknown).toEqual([true, true, undefined, true, undefined]);
  });

  it('logs every exchange to a logger given without a metrics hook, the URL redacted', async () => {
    const lines: [string, string][] = [];
    const logger = {
      debug: (_line: object, message?: string) => lines.push(['debug', message!]),
      warn: (_line: object, message?: string) => lines.push(['warn', message!]),
    };
    const { transport } = scripted(json(200, {}), json(404, { message: 'no such thing' }));
    const client = createConnectionClient({
      connection: connection('http', bearer),
      connector: registry.get('http')!,
      transport,
      env,
      logger,
    });
    await client.call('get', { params: { path: '/x?api_key=tok-123456' }, body: {} });
    await failure(client.call('get', { params: { path: '/y' }, body: {} }));
    expect(lines).toEqual([
      ['debug', `GET https://api.example.com/x?api_key=${encodeURIComponent(REDACTED)} -> 200`],
      ['warn', 'GET https://api.example.com/y failed: not-found'],
    ]);
  });

  it('records the request with secret fields and values masked, but sends them', async () => {
    const { transport, seen } = scripted(json(200, { id: 7 }));
    const magento = createConnectionClient({
      connection: connection('magento', { type: 'magento_token', token: '${env:TOKEN}' }),
      connector: registry.get('magento')!,
      transport,
      env,
    });
    const result = await magento.call('customers.create', {
      params: {},
      body: { email: 'a@example.com', firstname: 'A', lastname: 'B', password: 'hunter2!', note: 'token tok-123456' },
    });
    expect(result.request.body).toEqual({
      customer: {
        email: 'a@example.com',
        firstname: 'A',
        lastname: 'B',
        password: REDACTED,
        note: `token ${REDACTED}`,
      },
    });
    expect(JSON.parse(seen[0].request.body!)).toEqual({
      customer: {
        email: 'a@example.com',
        firstname: 'A',
        lastname: 'B',
        password: 'hunter2!',
        note: 'token tok-123456',
      },
    });
  });

  it('shares one token request between concurrent calls and reports token exchanges to telemetry', async () => {
    const oauth: AuthSpec = {
      type: 'oauth2_client_credentials',
      tokenUrl: '/oauth/token',
      clientId: 'id',
      clientSecret: '${env:TOKEN}',
    };
    const events: HttpCallEvent[] = [];
    const { transport, seen } = scripted(json(200, { access_token: 'at-999999', expires_in: 3600 }));
    const client = createConnectionClient({
      connection: connection('http', oauth),
      connector: registry.get('http')!,
      transport,
      env,
      telemetry: (e) => events.push(e),
    });
    await Promise.all([1, 2, 3].map(() => client.call('get', { params: { path: '/x' }, body: {} })));
    expect(seen.map((s) => s.request.url)).toEqual([
      'https://api.example.com/oauth/token',
      ...[1, 2, 3].map(() => 'https://api.example.com/x'),
    ]);
    expect(seen.slice(1).map((s) => s.request.headers.authorization)).toEqual([
      'Bearer at-999999',
      'Bearer at-999999',
      'Bearer at-999999',
    ]);
    expect(events.map((e) => [e.kind, e.outcome, e.status])).toEqual([
      ['token', 'ok', 200],
      ['call', 'ok', 200],
      ['call', 'ok', 200],
      ['call', 'ok', 200],
    ]);
  });

  it('treats a failing token endpoint as retryable and a token URL on a metadata address as blocked', async () => {
    const oauth = (tokenUrl: string): AuthSpec => ({
      type: 'oauth2_client_credentials',
      tokenUrl,
      clientId: 'id',
      clientSecret: '${env:TOKEN}',
    });
    const { transport } = scripted(json(503, { error: 'down' }));
    const down = createConnectionClient({
      connection: connection('http', oauth('/oauth/token')),
      connector: registry.get('http')!,
      transport,
      env,
    });
    expect(await failure(down.call('get', { params: { path: '/x' }, body: {} }))).toMatchObject({
      code: 'auth-unavailable',
      disposition: 'retryable',
      status: 503,
    });
    const metadata = createConnectionClient({
      connection: connection('http', oauth('http://169.254.169.254/latest/token')),
      connector: registry.get('http')!,
      transport,
      env,
    });
    expect(await failure(metadata.call('get', { params: { path: '/x' }, body: {} }))).toMatchObject({
      code: 'outbound-blocked',
      disposition: 'permanent',
    });
  });
});

describe('the default transport', () => {
  it('reports a refused connection as a retryable network error', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    await new Promise((r) => server.close(r));
    const client = createConnectionClient({
      connection: connection('http', { type: 'none' }, { baseUrl: `http://127.0.0.1:${port}` }),
      connector: registry.get('http')!,
      security: { outbound: { allowPrivateNetwork: false, allowedHosts: [`127.0.0.1:${port}`] } },
    });
    const error = await failure(client.call('get', { params: { path: '/x' }, body: {} }));
    expect({ code: error.code, disposition: error.disposition, message: error.message }).toEqual({
      code: 'network',
      disposition: 'retryable',
      message: 'target: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:' + port,
    });
    // Never written, so known not to have happened: a create is sent again without a look-up.
    expect(error.outcomeUnknown).toBeUndefined();
    await client.close();
  });

  it('knows when a request was written: a connection lost or a timeout after sending leaves the outcome unknown', async () => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/drop') res.socket?.destroy();
        else if (req.url === '/ok') res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const clientWithin = (timeoutMs: number) =>
      createConnectionClient({
        connection: connection('http', { type: 'none' }, { baseUrl: `http://127.0.0.1:${port}`, timeoutMs }),
        connector: registry.get('http')!,
        security: { outbound: OPEN },
      });
    // The drop comes from the server once it has the body: no timeout may race it on a loaded machine.
    const patient = clientWithin(30_000);
    const dropped = await failure(patient.call('post', { params: { path: '/drop' }, body: { a: 1 } }));
    // The stall must time out after the request was written: its connection is open already (no connect to wait
    // for), and its timeout leaves a loaded machine room to write before it runs out.
    const hasty = clientWithin(1_000);
    await hasty.call('post', { params: { path: '/ok' }, body: { a: 1 } });
    const stalled = await failure(hasty.call('post', { params: { path: '/stall' }, body: { a: 1 } }));
    expect([dropped, stalled].map((e) => [e.code, e.disposition, e.outcomeUnknown])).toEqual([
      ['network', 'retryable', true],
      ['timeout', 'retryable', true],
    ]);
    await Promise.all([patient.close(), hasty.close()]);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('sends an Idempotency-Key beyond Latin-1 as its UTF-8 bytes, and one within it as before', async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      // node:http reads header bytes as Latin-1.
      received.push(req.headers['idempotency-key'] as string);
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const client = createConnectionClient({
      connection: connection('http', { type: 'none' }, { baseUrl: `http://127.0.0.1:${port}` }),
      connector: registry.get('http')!,
      security: { outbound: OPEN },
    });
    // Event ids come from the events (dedup_id). Before: undici refused the header ("invalid idempotency-key
    // header") on every attempt, so such an event was never sent and ended in the DLQ.
    for (const idempotencyKey of ['r-日-\u{1F600}:write', 'a-é:write'])
      await client.call('post', { params: { path: '/o' }, body: { a: 1 } }, { integration: 'o', idempotencyKey });
    expect([Buffer.from(received[0]!, 'latin1').toString('utf8'), received[1]]).toEqual([
      'r-日-\u{1F600}:write',
      'a-é:write',
    ]);
    await client.close();
    await new Promise((r) => server.close(r));
  });

  it('fails a request the client refuses to build as permanent invalid-request, with nothing sent', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    // A connector whose operation puts event data into a header: undici refuses a value beyond Latin-1. Before,
    // that was a retryable `network` error, so the event took every attempt and then the DLQ as `exhausted`.
    const http = registry.get('http')!;
    const connector = {
      ...http,
      operations: {
        ...http.operations,
        post: {
          ...http.operations.post!,
          request: ({ body }: OperationCall) => ({
            method: 'POST' as const,
            path: '/o',
            headers: { 'x-name': (body as { name: string }).name },
          }),
        },
      },
    };
    const client = createConnectionClient({
      connection: connection('http', { type: 'none' }, { baseUrl: `http://127.0.0.1:${port}` }),
      connector,
      security: { outbound: OPEN },
    });
    const error = await client
      .call('post', { params: {}, body: { name: 'Zoë 日本' } }, { integration: 'o' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    const { code, disposition, message } = error as ConnectorError;
    expect({ code, disposition, message }).toEqual({
      code: 'invalid-request',
      disposition: 'permanent',
      message: 'target: the request was not sent: invalid x-name header',
    });
    expect(requests).toBe(0);
    // Latin-1 goes out as before.
    await client.call('post', { params: {}, body: { name: 'Zoë' } }, { integration: 'o' });
    expect(requests).toBe(1);
    await client.close();
    await new Promise((r) => server.close(r));
  });

  it('answers with the final status, lower-case headers (repeated ones joined) and the body text, without a BOM', async () => {
    const server = createServer((req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.writeHead(201, { 'Content-Type': 'application/json', 'X-Multi': ['a', 'b'] });
      // The body arrives in pieces, one of them splitting a two-byte character.
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"name":"Zoë","n":1}')]);
      res.write(bytes.subarray(0, 14));
      setTimeout(() => res.end(bytes.subarray(14)), 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const transport = createUndiciTransport({ outbound: OPEN });
    const response = await transport(
      { method: 'GET', url: `http://127.0.0.1:${port}/x`, headers: {}, timeoutMs: 5_000 },
      {},
    );
    expect(response).toMatchObject({ status: 201, body: '{"name":"Zoë","n":1}' });
    expect(response.headers).toMatchObject({ 'content-type': 'application/json', 'x-multi': 'a, b' });
    await transport.close();
    await new Promise((r) => server.close(r));
  });

  it('times out a body that stalls half way (written: outcome unknown), and never writes a request that timed out in the queue', async () => {
    const received: string[] = [];
    const server = createServer((req, res) => {
      received.push(req.url!);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    // One connection: the second request waits in the pool's queue behind the stalled first one, and its own
    // timeout (the shorter) runs out there; undici starts it only when the first gives up, and it is aborted then.
    const transport = createUndiciTransport({ outbound: OPEN, connections: 1 });
    const send = (path: string, timeoutMs: number) =>
      transport(
        { method: 'POST', url: `http://127.0.0.1:${port}${path}`, headers: {}, body: '{}', timeoutMs },
        {},
      ).then(
        () => new TransportError('answered', false),
        (e: unknown) => e as TransportError,
      );
    const [stalled, queued] = await Promise.all([send('/stalled', 600), send('/queued', 200)]);
    expect([stalled, queued].map((e) => [e instanceof TransportError, e.timedOut, e.requestSent, e.message])).toEqual([
      [true, true, true, 'no response within 600 ms'],
      [true, true, false, 'no response within 200 ms'],
    ]);
    await transport.close();
    expect(received).toEqual(['/stalled']);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('refuses a host name that resolves to a private address unless allowed', async () => {
    const transport = createUndiciTransport({ outbound: PUBLIC_ONLY });
    const error = await transport(
      { method: 'GET', url: 'http://localhost:9/', headers: {}, timeoutMs: 1000 },
      {},
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ blocked: true, timedOut: false });
    await transport.close();
  });
});

describe('outbound guard', () => {
  it.each([
    'http://127.0.0.1/',
    'http://[::1]/',
    'http://10.1.2.3/',
    'http://172.16.0.1/',
    'http://192.168.1.1/',
    'http://169.254.169.254/latest',
    'http://metadata.google.internal/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fd00::1]/',
    'http://[fe80::1]/',
    'http://localhost:8080/',
    'http://0.0.0.0/',
    'http://100.64.0.1/',
    'http://2130706433/',
    'file:///etc/passwd',
  ])('blocks %s', (url) => {
    expect(() => assertOutboundAllowed(new URL(url), PUBLIC_ONLY)).toThrow(/--allow-private-host|only http and https/);
  });

  it.each(['https://example.com/', 'http://8.8.8.8/', 'http://[2606:4700::1111]/', 'http://172.32.0.1/'])(
    'allows %s',
    (url) => {
      expect(() => assertOutboundAllowed(new URL(url), PUBLIC_ONLY)).not.toThrow();
    },
  );

  it('allows private targets when the engine says so, but never other protocols', () => {
    expect(() => assertOutboundAllowed(new URL('http://127.0.0.1/'), OPEN)).not.toThrow();
    expect(() => assertOutboundAllowed(new URL('ftp://127.0.0.1/'), OPEN)).toThrow(
      'only http and https targets are allowed, not ftp:',
    );
  });

  it('answers a target it allowed without checking it again, and the same for every target, in any order', () => {
    let reads = 0;
    const listed = ['127.0.0.1:8081', 'erp.internal'];
    const counting: OutboundPolicy = {
      allowPrivateNetwork: false,
      get allowedHosts() {
        reads++;
        return listed;
      },
    };
    const verdict = (url: string, policy: OutboundPolicy) => {
      try {
        assertOutboundAllowed(new URL(url), policy);
        return 'allowed';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(verdict('http://127.0.0.1:8081/orders/1', counting)).toBe('allowed');
    const afterFirst = reads;
    expect(verdict('http://127.0.0.1:8081/orders/2', counting)).toBe('allowed');
    expect(reads).toBe(afterFirst);
    // Another port of the same host is another target: checked, and refused every time.
    expect(verdict('http://127.0.0.1:8082/', counting)).toMatch(/--allow-private-host 127.0.0.1:8082/);
    expect(verdict('http://127.0.0.1:8082/', counting)).toMatch(/--allow-private-host 127.0.0.1:8082/);
    expect(reads).toBeGreaterThan(afterFirst);
    const targets = [
      'http://127.0.0.1:8081/a',
      'https://127.0.0.1:8081/a',
      'http://erp.internal/x',
      'http://erp.internal:8080/x',
      'http://10.1.2.3/',
      'https://example.com/',
      'ftp://example.com/',
      'http://localhost/',
    ];
    const policies: OutboundPolicy[] = [{ allowPrivateNetwork: false, allowedHosts: listed }, OPEN, PUBLIC_ONLY];
    for (const policy of policies) {
      // Each policy's first answers, from a fresh copy of its lists (nothing kept), against two later rounds.
      const first = targets.map((url) => verdict(url, { ...policy, allowedHosts: [...policy.allowedHosts] }));
      expect(first).toContain('allowed');
      for (let round = 0; round < 2; round++) {
        expect(targets.map((url) => verdict(url, policy))).toEqual(first);
        expect([...targets].reverse().map((url) => verdict(url, policy))).toEqual([...first].reverse());
      }
    }
  });

  it('checks the addresses a name resolves to', async () => {
    const resolve = (policy: OutboundPolicy) =>
      new Promise<unknown>((r) => guardedLookup(policy)('localhost', {}, (error, address) => r(error ?? address)));
    expect(await resolve(PUBLIC_ONLY)).toMatchObject({ code: 'ERR_OUTBOUND_BLOCKED' });
    expect(await resolve(OPEN)).toMatch(/^(127\.0\.0\.1|::1)$/);
  });
});

describe('redaction', () => {
  it('masks auth headers, secret-looking fields, literal secrets and credentials in text and URLs', () => {
    expect(
      redactHeaders({ Authorization: 'Bearer x', cookie: 'a=b', 'x-api-key': 'k', accept: 'application/json' }),
    ).toEqual({ Authorization: REDACTED, cookie: REDACTED, 'x-api-key': REDACTED, accept: 'application/json' });
    expect(
      redactFields({ user: { password: 'p', client_secret: 's', name: 'n' }, list: [{ access_token: 't' }] }),
    ).toEqual({ user: { password: REDACTED, client_secret: REDACTED, name: 'n' }, list: [{ access_token: REDACTED }] });
    expect(redactText('sent s3cr3t-value with Bearer abc.def and Basic QWxhZGRpbg==', ['s3cr3t-value'])).toBe(
      `sent ${REDACTED} with Bearer ${REDACTED} and Basic ${REDACTED}`,
    );
    expect(redactUrl('https://x.test/cb?access_token=abc&page=2', [])).toBe(
      `https://x.test/cb?access_token=${encodeURIComponent(REDACTED)}&page=2`,
    );
  });

  it('returns a body untouched (the same object) when there is nothing to mask', () => {
    const body = { sku: 'MUG-1', price: 9.5 };
    expect(redactBody(body, ['s3cr3t-value'])).toBe(body);
    expect(redactBody({ note: 'has s3cr3t-value' }, ['s3cr3t-value'])).toEqual({ note: `has ${REDACTED}` });
  });
});

describe('retry-after and the token bucket', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-20T10:00:00Z');
    expect([
      parseRetryAfter('7', now),
      parseRetryAfter('1.5', now),
      parseRetryAfter('Fri, 20 Nov 2026 10:00:30 GMT', now),
      parseRetryAfter('Fri, 20 Nov 2026 09:00:00 GMT', now),
      parseRetryAfter('soon', now),
      parseRetryAfter(undefined, now),
    ]).toEqual([7000, 1500, 30_000, 0, undefined, undefined]);
  });

  it('lets a burst through at once, then paces calls at the sustained rate', async () => {
    // On a fake clock, so the figures are the bucket's own and not how busy the machine is.
    vi.useFakeTimers({ toFake: ['performance', 'setTimeout'] });
    try {
      const bucket = new TokenBucket(20, 2);
      const started = performance.now();
      const at: number[] = [];
      for (let i = 0; i < 4; i++) {
        let taken = false;
        void bucket.take().then(() => (taken = true));
        // Lets a take that needs no wait finish without moving the clock, then moves it a millisecond at a time.
        await vi.advanceTimersByTimeAsync(0);
        while (!taken) await vi.advanceTimersByTimeAsync(1);
        at.push(performance.now() - started);
      }
      // Two at once, then one every 50 ms (20 a second).
      expect(at).toEqual([0, 0, 50, 100]);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('max_concurrency', () => {
  it('holds requests beyond the limit and starts them in arrival order, also after a failed request', async () => {
    const started: string[] = [];
    const finish = new Map<string, (answer: TransportResponse | Error) => void>();
    const transport: Transport = (request) =>
      new Promise((resolve, reject) => {
        const id = new URL(request.url).pathname.split('/').pop()!;
        started.push(id);
        finish.set(id, (answer) => (answer instanceof Error ? reject(answer) : resolve(answer)));
      });
    const client = createConnectionClient({
      connection: connection('http', bearer, { maxConcurrency: 2 }),
      connector: registry.get('http')!,
      transport,
      env,
    });
    const calls = ['a', 'b', 'c', 'd'].map((id) =>
      client.call('get', { params: { path: `/orders/${id}` }, body: undefined }).then(
        () => `${id} ok`,
        (error: ConnectorError) => `${id} ${error.code}`,
      ),
    );
    const settle = () => new Promise((resolve) => setTimeout(resolve, 20));
    await settle();
    expect(started).toEqual(['a', 'b']);
    finish.get('a')!(new TransportError('connection reset', false));
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    finish.get('b')!(json(200, {}));
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    finish.get('c')!(json(200, {}));
    finish.get('d')!(json(200, {}));
    expect(await Promise.all(calls)).toEqual(['a network', 'b ok', 'c ok', 'd ok']);
  });
});
