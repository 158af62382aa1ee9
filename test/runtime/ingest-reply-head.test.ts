/**
 * What a webhook sender reads back, byte for byte, over one raw keep-alive connection: the 202's head (our three
 * headers in their order, then node:http's Date, Connection and Keep-Alive), its JSON body and Content-Length,
 * pipelined requests answered in order, a refusal on the same connection, HEAD without a body, and
 * `connection: close` honoured. The 202 is written from a flat header list (http-server.ts, `sendJson`): the same
 * bytes as the header object it replaced.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { startRuntimeHarness } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
let socket: Socket | undefined;
afterEach(async () => {
  socket?.destroy();
  await h?.dispose();
  h = undefined;
});

interface Response {
  statusLine: string;
  headers: string[];
  body: string;
}

/** Reads `count` responses framed by Content-Length (no body for the HEADs, by index in `heads`). */
function readResponses(s: Socket, count: number, heads = new Set<number>()): Promise<Response[]> {
  return new Promise<Response[]>((resolve, reject) => {
    let buffered = '';
    const responses: Response[] = [];
    s.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [statusLine, ...headers] = buffered.slice(0, end).split('\r\n');
        const length = heads.has(responses.length)
          ? 0
          : Number(/^content-length: (\d+)$/im.exec(buffered.slice(0, end))?.[1]);
        if (buffered.length < end + 4 + length) return;
        responses.push({ statusLine: statusLine!, headers, body: buffered.slice(end + 4, end + 4 + length) });
        buffered = buffered.slice(end + 4 + length);
        if (responses.length === count) resolve(responses);
      }
    });
    s.on('close', () => reject(new Error(`closed after ${responses.length} responses`)));
    s.on('error', reject);
  });
}

function post(host: string, body: string, extra = ''): string {
  return `POST /hooks/orders HTTP/1.1\r\nhost: ${host}\r\ncontent-type: application/json\r\n${extra}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The head's lines with the Date header's value left out (it is the time of answering). */
function withoutDate(headers: string[]): string[] {
  return headers.map((line) => (/^date: /i.test(line) ? 'Date: <now>' : line));
}

it('answers pipelined webhooks in order with the exact head, a refusal and HEAD on the same connection', async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  const { hostname, port } = new URL(h.engine.url!);
  const s = (socket = connect(Number(port), hostname));
  const host = `${hostname}:${port}`;
  const reading = readResponses(s, 4, new Set([3]));
  // Four requests in one write: two events, a body that is not JSON, and a HEAD of the hook.
  s.write(
    post(host, JSON.stringify({ id: 1, seq: 1, status: 'new' })) +
      post(host, JSON.stringify({ id: 2, seq: 1, status: 'new' })) +
      post(host, '{') +
      `HEAD /hooks/orders HTTP/1.1\r\nhost: ${host}\r\n\r\n`,
  );
  const responses = await reading;
  expect(responses.map((r) => r.statusLine)).toEqual([
    'HTTP/1.1 202 Accepted',
    'HTTP/1.1 202 Accepted',
    'HTTP/1.1 400 Bad Request',
    'HTTP/1.1 405 Method Not Allowed',
  ]);
  for (const r of responses) {
    const length = /^content-length: (\d+)$/im.exec(r.headers.join('\n'))![1];
    expect(withoutDate(r.headers)).toEqual([
      'content-type: application/json',
      `content-length: ${length}`,
      'x-content-type-options: nosniff',
      // A 405 names the method the path takes (RFC 9110 §15.5.6).
      ...(r.statusLine.includes(' 405 ') ? ['allow: POST'] : []),
      'Date: <now>',
      'Connection: keep-alive',
      'Keep-Alive: timeout=65',
    ]);
  }
  const [first, second, malformed, head] = responses;
  expect(JSON.parse(first!.body)).toEqual({ id: expect.any(String), key: '1', seq: 1, duplicate: false });
  expect(JSON.parse(second!.body)).toEqual({ id: expect.any(String), key: '2', seq: 2, duplicate: false });
  expect(first!.headers).toContain(`content-length: ${Buffer.byteLength(first!.body)}`);
  expect(JSON.parse(malformed!.body)).toMatchObject({ error: 'malformed-json' });
  expect(malformed!.headers).toContain(`content-length: ${Buffer.byteLength(malformed!.body)}`);
  expect(head!.body).toBe('');
});

it("closes the connection after a 202 when the sender asks so with 'connection: close'", async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  const { hostname, port } = new URL(h.engine.url!);
  const s = (socket = connect(Number(port), hostname));
  const reading = readResponses(s, 1);
  const closed = new Promise((resolve) => s.once('close', resolve));
  s.write(post(`${hostname}:${port}`, JSON.stringify({ id: 3, seq: 1, status: 'new' }), 'connection: close\r\n'));
  const responses = await reading;
  expect(responses[0]!.statusLine).toBe('HTTP/1.1 202 Accepted');
  expect(withoutDate(responses[0]!.headers)).toEqual([
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(responses[0]!.body)}`,
    'x-content-type-options: nosniff',
    'Date: <now>',
    'Connection: close',
  ]);
  // The engine ends the connection after the answer (the test times out if it never does).
  await closed;
});
