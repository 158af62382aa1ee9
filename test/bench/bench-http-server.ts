/**
 * The fake ERP's HTTP/1.1 server: a `node:net` server with a minimal request parser (request line, headers, a body
 * framed by Content-Length; pipelined requests in order) that hands each complete request to a handler and writes its
 * JSON answer on a keep-alive connection (`connection: keep-alive`, `keep-alive: timeout=60`, as the node:http server
 * it replaces said). It costs a fraction of node:http's CPU per request, so the core it shares goes to the processes
 * under test. A request it cannot frame gets 400 (501 for a Transfer-Encoding, 413 for a body over 1 MiB) and the
 * connection is closed, since what follows it on the wire cannot be told apart.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

export interface BenchRequest {
  method: string;
  /** The request target as sent (`/orders/order-100000001`). */
  target: string;
  body: Buffer;
  /** The client's port of the connection it came on (which process sent it: see worker-shares.ts). */
  peerPort: number;
}

export interface BenchResponse {
  status: 200 | 400;
  /** JSON text. */
  body: string;
}

const MAX_HEAD = 16 * 1024;
const MAX_BODY = 1024 * 1024;
/** Idle keep-alive connections close after this, as the node:http server's keepAliveTimeout did. */
const KEEP_ALIVE_MS = 60_000;
const REASONS: Record<number, string> = {
  200: 'OK',
  400: 'Bad Request',
  413: 'Content Too Large',
  501: 'Not Implemented',
};
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A request that cannot be framed: answered with `status`, then the connection closes. */
class FramingError extends Error {
  constructor(
    readonly status: 400 | 413 | 501,
    message: string,
  ) {
    super(message);
    this.name = 'FramingError';
  }
}

interface RequestHead {
  method: string;
  target: string;
  headers: Map<string, string>;
  length: number;
  close: boolean;
}

/** Method, target, headers (names in lower case) and framing of a request head; throws FramingError. */
function parseRequestHead(head: string): RequestHead {
  const lines = head.split('\r\n');
  const requestLine = /^(\S+) (\S+) HTTP\/1\.([01])$/.exec(lines[0]);
  if (!requestLine || !TOKEN.test(requestLine[1]))
    throw new FramingError(400, `not an HTTP/1.x request line: ${JSON.stringify(lines[0].slice(0, 80))}`);
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    const name = lines[i].slice(0, colon).toLowerCase();
    // RFC 9112 5.1: no whitespace between a field name and its colon.
    if (colon <= 0 || !TOKEN.test(name))
      throw new FramingError(400, `malformed header line: ${JSON.stringify(lines[i].slice(0, 80))}`);
    const value = lines[i].slice(colon + 1).trim();
    const previous = headers.get(name);
    if (name === 'content-length' && previous !== undefined && previous !== value)
      throw new FramingError(400, 'two different Content-Length headers');
    headers.set(name, previous === undefined || name === 'content-length' ? value : `${previous}, ${value}`);
  }
  const http10 = requestLine[3] === '0';
  // RFC 9112 3.2: an HTTP/1.1 request without Host gets 400.
  if (!http10 && !headers.has('host')) throw new FramingError(400, 'HTTP/1.1 request without Host');
  if (headers.has('transfer-encoding'))
    throw new FramingError(501, 'Transfer-Encoding is not supported here: send the body with a Content-Length');
  const contentLength = headers.get('content-length') ?? '0';
  if (!/^\d+$/.test(contentLength)) throw new FramingError(400, `bad Content-Length ${JSON.stringify(contentLength)}`);
  const length = Number(contentLength);
  if (length > MAX_BODY) throw new FramingError(413, `body of ${length} bytes, over the 1 MiB this server takes`);
  const connection = (headers.get('connection') ?? '').toLowerCase().split(/\s*,\s*/);
  const close = connection.includes('close') || (http10 && !connection.includes('keep-alive'));
  return { method: requestLine[1], target: requestLine[2], headers, length, close };
}

/** RFC 9110 6.6.1: an origin server with a clock sends Date; one string per second, as node:http caches it. */
let date = '';
let dateSecond = -1;
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    date = new Date(now).toUTCString();
  }
  return date;
}

function writeResponse(socket: Socket, status: number, body: string, close: boolean): void {
  socket.write(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\ndate: ${httpDate()}\r\n` +
      (close ? 'connection: close\r\n\r\n' : `connection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\n`) +
      body,
  );
}

/** Reads the requests of one connection in order and answers each with `handle`. */
function serveConnection(socket: Socket, handle: (request: BenchRequest) => BenchResponse): void {
  socket.setNoDelay(true);
  socket.setTimeout(KEEP_ALIVE_MS, () => socket.end());
  socket.on('error', () => socket.destroy());
  const peerPort = socket.remotePort ?? 0;
  let buffered: Buffer | undefined;
  let head: RequestHead | undefined;
  let done = false;
  socket.on('data', (chunk: Buffer) => {
    if (done) return;
    let data = buffered ? Buffer.concat([buffered, chunk]) : chunk;
    buffered = undefined;
    try {
      while (data.length > 0) {
        if (!head) {
          const end = data.indexOf('\r\n\r\n');
          if (end < 0) {
            if (data.length > MAX_HEAD) throw new FramingError(400, 'request head over 16 KiB');
            break;
          }
          head = parseRequestHead(data.toString('latin1', 0, end));
          data = data.subarray(end + 4);
        }
        if (data.length < head.length) break;
        const { method, target, length, close } = head;
        head = undefined;
        const answer = handle({ method, target, body: data.subarray(0, length), peerPort });
        data = data.subarray(length);
        writeResponse(socket, answer.status, answer.body, close);
        if (close) {
          done = true;
          socket.end();
          return;
        }
      }
    } catch (error) {
      if (!(error instanceof FramingError)) throw error;
      done = true;
      writeResponse(socket, error.status, JSON.stringify({ error: error.message }), true);
      socket.end();
      return;
    }
    // Keep only what is unread: a partial request copied, so the chunk it came in is not held.
    if (data.length > 0) buffered = Buffer.from(data);
  });
}

/** A server that answers every complete request with `handle(request)`; listen on it as on any net.Server. */
export function createBenchHttpServer(handle: (request: BenchRequest) => BenchResponse): Server {
  return createServer((socket) => serveConnection(socket, handle));
}
