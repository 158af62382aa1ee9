/**
 * The rig's node:http variant (bench-node-http.ts, BENCH_RIG_HTTP=node), kept to compare what the rig costs: it must
 * put the same bytes on the wire as the lean client, and answer as the lean fake ERP does.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { KeepAliveClient, postRequest } from './bench-http-client.js';
import { createBenchHttpServer } from './bench-http-server.js';
import type { BenchRequest } from './bench-http-server.js';
import { NodeHttpClient, createNodeHttpServer, splitRequest } from './bench-node-http.js';

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function listen(server: Server | ReturnType<typeof createNodeHttpServer>): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A raw server that records each request's bytes (framed by Content-Length) and answers 202. */
async function recordingServer(): Promise<{ port: number; requests: string[] }> {
  const requests: string[] = [];
  const port = await listen(
    createServer((socket) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => {
        text += chunk.toString('latin1');
        for (;;) {
          const end = text.indexOf('\r\n\r\n');
          if (end < 0) return;
          const length = Number(/content-length: (\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
          if (text.length < end + 4 + length) return;
          requests.push(text.slice(0, end + 4 + length));
          text = text.slice(end + 4 + length);
          socket.write('HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}');
        }
      });
    }),
  );
  return { port, requests };
}

it('splits a prepared request into method, path, headers in their order and the body', () => {
  const bytes = postRequest(
    'h:1',
    '/hooks/x',
    { 'content-type': 'application/json', 'x-bench-order': '3' },
    Buffer.from('{"a":1}'),
  );
  expect(splitRequest(bytes)).toEqual({
    method: 'POST',
    path: '/hooks/x',
    headers: {
      host: 'h:1',
      'content-type': 'application/json',
      'x-bench-order': '3',
      'content-length': '7',
      connection: 'keep-alive',
    },
    body: Buffer.from('{"a":1}'),
  });
  expect(Object.keys(splitRequest(bytes).headers)).toEqual([
    'host',
    'content-type',
    'x-bench-order',
    'content-length',
    'connection',
  ]);
});

it('node:http client: the bytes on the wire are those the lean client writes, over one kept-alive connection', async () => {
  const { port, requests } = await recordingServer();
  const prepared = [1, 2].map((n) =>
    postRequest(
      `127.0.0.1:${port}`,
      `/hooks/orders`,
      { 'content-type': 'application/json', 'x-bench-order': String(n) },
      Buffer.from(JSON.stringify({ entity_id: n, note: 'ü' })),
    ),
  );
  const node = new NodeHttpClient('127.0.0.1', port, 1);
  node.prepare(prepared);
  expect([await node.send(prepared[0]), await node.send(prepared[1])]).toEqual([202, 202]);
  node.close();
  const lean = new KeepAliveClient('127.0.0.1', port, 1);
  expect([await lean.send(prepared[0]), await lean.send(prepared[1])]).toEqual([202, 202]);
  lean.close();
  const wire = prepared.map((b) => b.toString('latin1'));
  expect(requests).toEqual([...wire, ...wire]);
  expect(node.opened).toBe(1);
  expect([...node.answeredByLocalPort.values()]).toEqual([2]);
});

it('node:http server: hands the handler the same request and answers with the same status and body as the lean one', async () => {
  const seen: BenchRequest[] = [];
  const handle = (request: BenchRequest) => {
    seen.push({ ...request, body: Buffer.from(request.body), peerPort: 0 });
    return { status: 200 as const, body: JSON.stringify({ id: request.target }) };
  };
  const ports = [await listen(createNodeHttpServer(handle)), await listen(createBenchHttpServer(handle))];
  const answers: [number, string, string | null][] = [];
  for (const port of ports) {
    const response = await fetch(`http://127.0.0.1:${port}/orders/order-1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"key":"order-1"}',
    });
    answers.push([response.status, await response.text(), response.headers.get('content-type')]);
  }
  expect(answers).toEqual([
    [200, '{"id":"/orders/order-1"}', 'application/json'],
    [200, '{"id":"/orders/order-1"}', 'application/json'],
  ]);
  expect(seen).toEqual([
    { method: 'PUT', target: '/orders/order-1', body: Buffer.from('{"key":"order-1"}'), peerPort: 0 },
    { method: 'PUT', target: '/orders/order-1', body: Buffer.from('{"key":"order-1"}'), peerPort: 0 },
  ]);
});
