/**
 * The bench's lean HTTP/1.1 pieces over real loopback sockets: the fake ERP's server (bench-http-server.ts) and the
 * load generator's client (bench-http-client.ts), each against raw bytes split and joined as TCP may deliver them,
 * and against the HTTP stacks the engine uses (undici's Pool, as its connectors do; a node:http server, as the
 * engine's ingest is).
 */
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Pool } from 'undici';
import { afterEach, expect, it } from 'vitest';
import { KeepAliveClient, postRequest } from './bench-http-client.js';
import { createBenchHttpServer } from './bench-http-server.js';
import type { BenchRequest } from './bench-http-server.js';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const pause = () => new Promise((r) => setTimeout(r, 1));

/** A fake ERP that records what it was handed and answers 200 with the target echoed. */
async function benchServer(): Promise<{ port: number; seen: BenchRequest[]; server: Server }> {
  const seen: BenchRequest[] = [];
  const server = createBenchHttpServer((request) => {
    seen.push({ ...request, body: Buffer.from(request.body) });
    return { status: 200, body: JSON.stringify({ id: request.target }) };
  });
  return { port: await listen(server), seen, server };
}

/** A raw connection that collects everything the server sends and says when the server closed it. */
function rawConnection(port: number): { socket: Socket; received: () => string; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  let text = '';
  socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, received: () => text, closed };
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5));
}

/** Splits a run of raw responses into [head, body] pairs by their Content-Length. */
function responses(text: string): { head: string; body: string }[] {
  const out: { head: string; body: string }[] = [];
  let rest = text;
  while (rest.length) {
    const end = rest.indexOf('\r\n\r\n');
    const head = rest.slice(0, end);
    const length = Number(/content-length: (\d+)/.exec(head)![1]);
    out.push({ head, body: rest.slice(end + 4, end + 4 + length) });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

const put = (target: string, body: string, extra = '') =>
  `PUT ${target} HTTP/1.1\r\nhost: erp\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

it('server: a request arriving byte by byte is framed by its Content-Length, answered, and the connection kept', async () => {
  const { port, seen } = await benchServer();
  const { socket, received, closed } = rawConnection(port);
  const request = put('/orders/order-1', '{"key":"order-1","lines":[]}');
  for (const byte of Buffer.from(request)) {
    socket.write(Buffer.of(byte));
    await pause();
  }
  await until(() => responses(received()).length === 1);
  expect(seen).toEqual([
    {
      method: 'PUT',
      target: '/orders/order-1',
      body: Buffer.from('{"key":"order-1","lines":[]}'),
      peerPort: socket.localPort,
    },
  ]);
  const [{ head, body }] = responses(received());
  expect(head).toMatch(
    /^HTTP\/1\.1 200 OK\r\ncontent-type: application\/json\r\ncontent-length: 24\r\ndate: .+ GMT\r\nconnection: keep-alive\r\nkeep-alive: timeout=60$/,
  );
  expect(body).toBe('{"id":"/orders/order-1"}');
  // Still open: a second request on the same connection is answered too.
  socket.write(put('/orders/order-2', '{}'));
  await until(() => responses(received()).length === 2);
  expect(seen.map((r) => r.target)).toEqual(['/orders/order-1', '/orders/order-2']);
  socket.end();
  await closed;
});

it('server: two pipelined requests in one chunk are answered in order', async () => {
  const { port, seen } = await benchServer();
  const { socket, received } = rawConnection(port);
  socket.write(put('/orders/a', '{"n":1}') + put('/orders/b', '{"n":2}'));
  await until(() => responses(received()).length === 2);
  expect(seen.map((r) => [r.target, r.body.toString()])).toEqual([
    ['/orders/a', '{"n":1}'],
    ['/orders/b', '{"n":2}'],
  ]);
  expect(responses(received()).map((r) => r.body)).toEqual(['{"id":"/orders/a"}', '{"id":"/orders/b"}']);
  socket.destroy();
});

it.each([
  [
    'a Content-Length that is not a number',
    put('/orders/x', '{}').replace('content-length: 2', 'content-length: 2x'),
    400,
    'bad Content-Length "2x"',
  ],
  [
    'two different Content-Lengths',
    put('/orders/x', '{}', 'content-length: 3\r\n'),
    400,
    'two different Content-Length headers',
  ],
  [
    'a header line without a colon',
    put('/orders/x', '{}', 'no colon here\r\n'),
    400,
    'malformed header line: "no colon here"',
  ],
  ['whitespace before a colon', put('/orders/x', '{}', 'x-thing : 1\r\n'), 400, 'malformed header line: "x-thing : 1"'],
  ['no Host on HTTP/1.1', 'PUT /orders/x HTTP/1.1\r\ncontent-length: 0\r\n\r\n', 400, 'HTTP/1.1 request without Host'],
  [
    'a request line that is not HTTP/1.x',
    'PUT /orders/x HTTP/2.0\r\nhost: erp\r\n\r\n',
    400,
    'not an HTTP/1.x request line: "PUT /orders/x HTTP/2.0"',
  ],
  [
    'a transfer coding other than chunked before chunked',
    'PUT /orders/x HTTP/1.1\r\nhost: erp\r\ntransfer-encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    501,
    'Transfer-Encoding "gzip, chunked": only chunked is decoded here',
  ],
  [
    'a Transfer-Encoding that does not end in chunked',
    'PUT /orders/x HTTP/1.1\r\nhost: erp\r\ntransfer-encoding: gzip\r\n\r\n{}',
    400,
    'Transfer-Encoding "gzip" does not end in chunked',
  ],
  [
    'Transfer-Encoding beside Content-Length (a smuggling attempt)',
    put('/orders/x', '{}', 'transfer-encoding: chunked\r\n'),
    400,
    'Transfer-Encoding and Content-Length',
  ],
  [
    'a chunk size that is not hex',
    'PUT /orders/x HTTP/1.1\r\nhost: erp\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    400,
    'chunked body: bad chunk size line "zz"',
  ],
  [
    'chunk data longer than its size',
    'PUT /orders/x HTTP/1.1\r\nhost: erp\r\ntransfer-encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n',
    400,
    'chunked body: chunk data not followed by CRLF',
  ],
  [
    'a chunked body over 1 MiB',
    'PUT /orders/x HTTP/1.1\r\nhost: erp\r\ntransfer-encoding: chunked\r\n\r\n100001\r\n',
    413,
    'chunked body over 1048576 bytes',
  ],
  [
    'an obsolete folded header line',
    put('/orders/x', '{}', 'x-a: 1\r\n  folded\r\n'),
    400,
    'obsolete line folding: "  folded"',
  ],
  ['a bare LF in a header line', put('/orders/x', '{}', 'x-a: 1\nx-b: 2\r\n'), 400, 'bare LF in "x-a: 1"'],
  [
    'a body over 1 MiB',
    put('/orders/x', '{}').replace('content-length: 2', 'content-length: 1048577'),
    413,
    'body of 1048577 bytes, over the 1 MiB this server takes',
  ],
])('server: %s gets its status, the reason in JSON, and the connection closed', async (_, request, status, reason) => {
  const { port, seen } = await benchServer();
  const { socket, received, closed } = rawConnection(port);
  // A valid request after the bad one in the same chunk is not read: after bad framing nothing on the wire can be.
  socket.write(request + put('/orders/after', '{}'));
  await closed;
  const [answer, ...more] = responses(received());
  expect(answer.head).toMatch(new RegExp(`^HTTP/1\\.1 ${status} .*\\r\\nconnection: close$`, 's'));
  expect(JSON.parse(answer.body)).toEqual({ error: reason });
  expect(more).toEqual([]);
  expect(seen).toEqual([]);
});

it('server: a chunked body arriving byte by byte (an extension, a trailer) is decoded whole; a request after it too', async () => {
  const { port, seen } = await benchServer();
  const { socket, received } = rawConnection(port);
  const chunked =
    'PUT /orders/order-9 HTTP/1.1\r\nhost: erp\r\nTransfer-Encoding: chunked\r\ncontent-type: application/json\r\n\r\n' +
    'a;note=first\r\n{"key":"or\r\n' +
    '0C\r\nder-9","n":1\r\n' +
    '1\r\n}\r\n' +
    '0\r\nx-checksum: 7\r\n\r\n';
  for (const byte of Buffer.from(chunked + put('/orders/after', '{}'))) {
    socket.write(Buffer.of(byte));
    await pause();
  }
  await until(() => responses(received()).length === 2);
  expect(seen.map((r) => [r.method, r.target, r.body.toString()])).toEqual([
    ['PUT', '/orders/order-9', '{"key":"order-9","n":1}'],
    ['PUT', '/orders/after', '{}'],
  ]);
  expect(responses(received()).map((r) => r.body)).toEqual(['{"id":"/orders/order-9"}', '{"id":"/orders/after"}']);
  socket.destroy();
});

it('server: a chunked body split at every byte into two reads is decoded the same', async () => {
  const { port, seen } = await benchServer();
  const body = '{"key":"order-1","lines":[1,2,3]}';
  const request = Buffer.from(
    `PUT /orders/order-1 HTTP/1.1\r\nhost: erp\r\ntransfer-encoding: chunked\r\n\r\n` +
      `5\r\n${body.slice(0, 5)}\r\n${(body.length - 5).toString(16)}\r\n${body.slice(5)}\r\n0\r\n\r\n`,
  );
  const { socket, received } = rawConnection(port);
  for (let cut = 1; cut < request.length; cut++) {
    socket.write(request.subarray(0, cut));
    await pause();
    socket.write(request.subarray(cut));
    await until(() => responses(received()).length === cut);
  }
  expect(seen.length).toBe(request.length - 1);
  expect(new Set(seen.map((r) => r.body.toString()))).toEqual(new Set([body]));
  socket.destroy();
});

it('server: empty lines before a request line are skipped (RFC 9112 2.2)', async () => {
  const { port, seen } = await benchServer();
  const { socket, received } = rawConnection(port);
  socket.write('\r\n\r\n' + put('/orders/x', '{}'));
  await until(() => responses(received()).length === 1);
  expect(seen.map((r) => r.target)).toEqual(['/orders/x']);
  socket.destroy();
});

it('server: `connection: close` from the client is answered, then the connection closes', async () => {
  const { port } = await benchServer();
  const { socket, received, closed } = rawConnection(port);
  socket.write(put('/orders/x', '{}', 'connection: close\r\n'));
  await closed;
  const [answer] = responses(received());
  expect(answer.head).toMatch(/^HTTP\/1\.1 200 OK\r\n.*connection: close$/s);
});

it("server: undici's Pool (the engine's HTTP client) writes three times over one kept-alive connection", async () => {
  const { port, seen, server } = await benchServer();
  let sockets = 0;
  server.on('connection', () => sockets++);
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1, pipelining: 1 });
  try {
    for (const key of ['order-1', 'order-2', 'order-3']) {
      const response = await pool.request({
        method: 'PUT',
        path: `/orders/${key}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key }),
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('application/json');
      expect(await response.body.json()).toEqual({ id: `/orders/${key}` });
    }
  } finally {
    await pool.close();
  }
  expect(seen.map((r) => r.body.toString())).toEqual(['{"key":"order-1"}', '{"key":"order-2"}', '{"key":"order-3"}']);
  expect(sockets).toBe(1);
});

/** A raw server that hands each connection's received bytes to `answer` once a full request is in. */
async function rawServer(
  answer: (socket: Socket, request: string) => void,
): Promise<{ port: number; requests: string[]; connections: () => number }> {
  const requests: string[] = [];
  let connections = 0;
  const port = await listen(
    createServer((socket) => {
      connections++;
      let text = '';
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk: Buffer) => {
        // Once it closed its side, what the client still sends goes unanswered.
        if (socket.writableEnded) return;
        text += chunk.toString('latin1');
        const end = text.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/.exec(text.slice(0, end))![1]);
        if (text.length < end + 4 + length) return;
        const request = text.slice(0, end + 4 + length);
        text = text.slice(request.length);
        requests.push(request);
        answer(socket, request);
      });
    }),
  );
  return { port, requests, connections: () => connections };
}

const ACCEPTED = 'HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n{"seq":"1"}';

it('client: sends the prepared bytes as they are, reads a response arriving byte by byte, and reuses the connection', async () => {
  const { port, requests, connections } = await rawServer((socket) => {
    void (async () => {
      for (const byte of Buffer.from(ACCEPTED, 'latin1')) {
        socket.write(Buffer.of(byte));
        await pause();
      }
    })();
  });
  const client = new KeepAliveClient('127.0.0.1', port, 4);
  const request = postRequest(
    `127.0.0.1:${port}`,
    '/hooks/orders',
    { 'content-type': 'application/json', 'x-bench-order': '7' },
    Buffer.from('{}'),
  );
  expect(await client.send(request)).toBe(202);
  expect(await client.send(request)).toBe(202);
  client.close();
  const wire = `POST /hooks/orders HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\nx-bench-order: 7\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\n{}`;
  expect(requests).toEqual([wire, wire]);
  expect(connections()).toBe(1);
});

it('client: a chunked response arriving byte by byte is read to its last chunk and trailer; the connection is reused', async () => {
  const chunked =
    'HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\n4;x=1\r\n{"se\r\n6\r\nq":"1"\r\n1\r\n}\r\n0\r\nx-t: 1\r\n\r\n';
  const { port, requests, connections } = await rawServer((socket) => {
    void (async () => {
      for (const byte of Buffer.from(chunked, 'latin1')) {
        socket.write(Buffer.of(byte));
        await pause();
      }
    })();
  });
  const client = new KeepAliveClient('127.0.0.1', port, 1);
  const request = postRequest(`127.0.0.1:${port}`, '/hooks/orders', {}, Buffer.from('{}'));
  expect(await client.send(request)).toBe(202);
  expect(await client.send(request)).toBe(202);
  client.close();
  expect(requests.length).toBe(2);
  expect(connections()).toBe(1);
});

it('client: a node:http server (as the ingest is) answers 202s over kept-alive connections; a 503 comes back as is', async () => {
  let sockets = 0;
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.statusCode = req.url === '/busy' ? 503 : 202;
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":1}');
    });
  });
  server.on('connection', () => sockets++);
  const port = await listen(server);
  const client = new KeepAliveClient('127.0.0.1', port, 2);
  const to = (path: string) =>
    postRequest(`127.0.0.1:${port}`, path, { 'content-type': 'application/json' }, Buffer.from('{"a":1}'));
  const statuses = await Promise.all([to('/a'), to('/b'), to('/busy'), to('/c'), to('/d')].map((r) => client.send(r)));
  client.close();
  expect(statuses).toEqual([202, 202, 503, 202, 202]);
  expect(sockets).toBe(2);
});

it.each([
  [
    'a chunked response with Content-Length too',
    'HTTP/1.1 202 Accepted\r\ntransfer-encoding: chunked\r\ncontent-length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n',
    'response 202: Transfer-Encoding and Content-Length',
  ],
  [
    'a chunk not followed by CRLF',
    'HTTP/1.1 202 Accepted\r\ntransfer-encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n',
    'chunked body: chunk data not followed by CRLF',
  ],
  [
    'a response without Content-Length',
    'HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\n\r\n{}',
    'response 202 without Content-Length or chunked: the bench client does not read to the close',
  ],
  [
    'bytes after the response',
    'HTTP/1.1 202 Accepted\r\ncontent-length: 2\r\n\r\n{}extra',
    '5 bytes after the end of the response',
  ],
  [
    'an interim response',
    'HTTP/1.1 100 Continue\r\n\r\n',
    'interim response 100: the bench client sends no Expect and no Upgrade',
  ],
  ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n', 'not an HTTP/1.x status line: "SSH-2.0-OpenSSH"'],
])('client: %s fails the request, naming why', async (_, response, reason) => {
  const { port } = await rawServer((socket) => socket.write(response));
  const client = new KeepAliveClient('127.0.0.1', port, 1);
  const request = postRequest(`127.0.0.1:${port}`, '/x', {}, Buffer.from('{}'));
  await expect(client.send(request)).rejects.toThrow(`127.0.0.1:${port}: ${reason}`);
  client.close();
});

it('client: a connection closed after part of the body (a short read) fails the request', async () => {
  const { port } = await rawServer((socket) => socket.end('HTTP/1.1 202 Accepted\r\ncontent-length: 10\r\n\r\n{"a"'));
  const client = new KeepAliveClient('127.0.0.1', port, 1);
  await expect(client.send(postRequest(`127.0.0.1:${port}`, '/x', {}, Buffer.from('{}')))).rejects.toThrow(
    `127.0.0.1:${port} closed the connection mid-response`,
  );
  client.close();
});

it('client: a kept-alive connection the server closes after answering is replaced for the next request', async () => {
  const { port, connections } = await rawServer((socket) => socket.end(ACCEPTED));
  const client = new KeepAliveClient('127.0.0.1', port, 1);
  const request = postRequest(`127.0.0.1:${port}`, '/x', {}, Buffer.from('{}'));
  expect(await client.send(request)).toBe(202);
  // Sent either after the client saw the close, or on the closing connection and then once more on a new one.
  expect(await client.send(request)).toBe(202);
  client.close();
  expect(connections()).toBe(2);
});

it('client: openAll opens every connection before the first request, which then opens none', async () => {
  let sockets = 0;
  const seen: string[] = [];
  const server = createHttpServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.statusCode = req.method === 'GET' ? 200 : 202;
      res.end('{}');
    });
  });
  server.on('connection', () => sockets++);
  const port = await listen(server);
  const client = new KeepAliveClient('127.0.0.1', port, 3);
  const get = Buffer.from(`GET /healthz HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`, 'latin1');
  expect(await client.openAll(get)).toEqual([200, 200, 200]);
  expect([sockets, client.opened]).toEqual([3, 3]);
  const post = postRequest(`127.0.0.1:${port}`, '/hooks/orders', {}, Buffer.from('{}'));
  expect(await Promise.all([1, 2, 3, 4, 5].map(() => client.send(post)))).toEqual([202, 202, 202, 202, 202]);
  client.close();
  expect([sockets, client.opened]).toEqual([3, 3]);
  expect(seen).toEqual([...Array(3).fill('GET /healthz'), ...Array(5).fill('POST /hooks/orders')]);
});
