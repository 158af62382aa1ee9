/**
 * A sender that is slow to send its request (headers trickled, or a body announced and sent a byte now and then) is
 * cut off at the listener's time limits (`httpHeadersTimeoutMs`, `httpRequestTimeoutMs`: `junction run
 * --headers-timeout`, `--request-timeout`) with a 408 that says why, and nothing it sent is stored. Before, node's
 * defaults held such a connection up to 300 s (60 s for headers), checked only every 30 s.
 */
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { brokerBacklog, startRuntimeHarness } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness;
let port: number;
/** What the engine logged at error level: a sender that was too slow is the sender's problem, not one to page on. */
const errors: string[] = [];
beforeAll(async () => {
  const sink = new Writable({
    write(line: Buffer, _encoding, done) {
      const entry = JSON.parse(line.toString()) as { level: number; msg: string };
      if (entry.level >= 50) errors.push(entry.msg);
      done();
    },
  });
  h = await startRuntimeHarness({
    integrations: [integrationYaml()],
    tuning: { httpHeadersTimeoutMs: 1_000, httpRequestTimeoutMs: 2_000 },
    engine: { logger: pino({ level: 'info' }, sink) },
  });
  port = Number(new URL(h.engine.url!).port);
});
afterAll(() => h?.dispose());

/**
 * Writes `head`, then `trickle` a byte every 100 ms until the server answers or closes; resolves with everything the
 * server sent before it closed the connection.
 */
function slowSender(port: number, head: string, trickle = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(head));
    let answer = '';
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < trickle.length && socket.writable) socket.write(trickle[sent++]!);
    }, 100);
    socket.on('data', (d) => (answer += d));
    socket.on('close', () => {
      clearInterval(timer);
      resolve(answer);
    });
    socket.on('error', (error) => (answer ? undefined : reject(error)));
  });
}

function parse(answer: string) {
  const [head, body] = answer.split('\r\n\r\n');
  const [status, ...lines] = head!.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 2)]),
  );
  return { status, connection: headers.connection, type: headers['content-type'], body: JSON.parse(body!) };
}

const TIMEOUT_408 = {
  status: 'HTTP/1.1 408 Request Timeout',
  connection: 'close',
  type: 'application/json',
  body: {
    error: 'request-timeout',
    message:
      'the request did not arrive in time (headers within 1 s, the whole request within 2 s): nothing was stored; ' +
      'send it again',
  },
};

it('answers 408 to headers that never end, and closes the connection', async () => {
  const answer = await slowSender(
    port,
    'POST /hooks/orders HTTP/1.1\r\nHost: x\r\n',
    'X-Slow: yes yes yes yes yes yes yes yes yes yes yes yes yes yes yes yes yes yes yes',
  );
  expect(parse(answer)).toEqual(TIMEOUT_408);
});

it('answers 408 to a body trickled past the request time limit, storing nothing of it', async () => {
  const body = JSON.stringify({ id: 9, seq: 1, status: 'new', pad: 'x'.repeat(200) });
  const head =
    'POST /hooks/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
    `Content-Length: ${body.length}\r\n\r\n`;
  // A byte every 100 ms: never idle, so only a limit on the whole request stops it.
  const answer = await slowSender(port, head, body);
  expect(parse(answer)).toEqual(TIMEOUT_408);
  expect(await brokerBacklog(h.nats.url)).toMatchObject({ stored: 0 });
  expect(h.target.requests).toEqual([]);
  expect(errors).toEqual([]);
});

it('still takes a sender that sends in time', async () => {
  expect(await h.post('orders', { id: 1, seq: 1, status: 'new' })).toMatchObject({ status: 202 });
});

it('leaves an idle keep-alive connection alone: the limits count from the first byte of a request', async () => {
  const socket = connect(port, '127.0.0.1');
  const ask = () =>
    new Promise<string>((resolve) => {
      socket.once('data', (chunk) => resolve(chunk.toString('latin1')));
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    });
  try {
    expect(await ask()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    // Idle past both limits (the keep-alive is 65 s): the next request on it is answered, not a 408.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await ask()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  } finally {
    socket.destroy();
  }
});
