/**
 * The fake ERP's HTTP/1.1 server: a `node:net` server with a minimal request parser read from the bytes (request
 * line, header lines, a body framed by Content-Length or chunked; pipelined requests in order: http1-framing.ts) that
 * hands each complete request to a handler and writes its JSON answer on a keep-alive connection (`connection:
 * keep-alive`, `keep-alive: timeout=60`, as the node:http server it replaces said). It costs a fraction of
 * node:http's CPU per request, so the core it shares goes to the processes under test. A request it cannot frame gets
 * 400 (501 for a transfer coding other than chunked, 413 for a body over 1 MiB) and the connection is closed, since
 * what follows it on the wire cannot be told apart.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import {
  BodyTooLarge,
  ChunkedDecoder,
  HeadError,
  bodyFraming,
  isHttp1,
  isToken,
  readFraming,
} from './http1-framing.js';

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
const CR = 13;
const SP = 32;

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
  /** The body's framing: chunked, or its Content-Length (0 when none was sent). */
  chunked: boolean;
  length: number;
  close: boolean;
}

/** `HTTP/1.` then `0` or `1` at `at` (the request line's end at `end`): the minor version, else -1. */
function httpVersion(buf: Buffer, at: number, end: number): number {
  if (end - at !== 8 || !isHttp1(buf, at)) return -1;
  const minor = buf[at + 7] - 48;
  return minor === 0 || minor === 1 ? minor : -1;
}

/** Method, target and framing of the request head in bytes 0..`end` of `buf`; throws FramingError. */
function parseRequestHead(buf: Buffer, end: number): RequestHead {
  let eol = 0;
  while (eol < end && buf[eol] !== CR) eol++;
  const sp1 = buf.indexOf(SP);
  const sp2 = sp1 < 0 ? -1 : buf.indexOf(SP, sp1 + 1);
  const minor = sp2 < 0 || sp2 >= eol ? -1 : httpVersion(buf, sp2 + 1, eol);
  // The target: visible ASCII, no whitespace (RFC 9112 3.2).
  let target = sp1 + 1 < sp2;
  for (let i = sp1 + 1; target && i < sp2; i++) target = buf[i] > SP && buf[i] < 127;
  if (minor < 0 || !target || !isToken(buf, 0, sp1))
    throw new FramingError(
      400,
      `not an HTTP/1.x request line: ${JSON.stringify(buf.toString('latin1', 0, eol).slice(0, 80))}`,
    );
  let framing;
  try {
    framing = readFraming(buf, eol + 2, end);
  } catch (error) {
    if (error instanceof HeadError) throw new FramingError(400, error.message);
    throw error;
  }
  const http10 = minor === 0;
  // RFC 9112 3.2: an HTTP/1.1 request without Host gets 400.
  if (!http10 && !framing.hasHost) throw new FramingError(400, 'HTTP/1.1 request without Host');
  const body = bodyFraming(framing);
  if (body.kind === 'bad') throw new FramingError(body.status, body.why);
  const length = body.kind === 'length' ? (body.length ?? 0) : 0;
  if (length > MAX_BODY) throw new FramingError(413, `body of ${length} bytes, over the 1 MiB this server takes`);
  return {
    method: buf.toString('latin1', 0, sp1),
    target: buf.toString('latin1', sp1 + 1, sp2),
    chunked: body.kind === 'chunked',
    length,
    close: framing.close || (http10 && !framing.keepAlive),
  };
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

const KEEP_ALIVE = 'connection: keep-alive\r\nkeep-alive: timeout=60\r\n\r\n';
const CLOSE = 'connection: close\r\n\r\n';

function writeResponse(socket: Socket, status: number, body: string, close: boolean): void {
  socket.write(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\ncontent-type: application/json\r\ncontent-length: ` +
      `${Buffer.byteLength(body)}\r\ndate: ${httpDate()}\r\n${close ? CLOSE : KEEP_ALIVE}${body}`,
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
  let chunked: ChunkedDecoder | undefined;
  let done = false;
  socket.on('data', (chunk: Buffer) => {
    if (done) return;
    let data = buffered ? Buffer.concat([buffered, chunk]) : chunk;
    buffered = undefined;
    try {
      while (data.length > 0) {
        if (!head) {
          // RFC 9112 2.2: empty lines before a request line are ignored.
          let skip = 0;
          while (data[skip] === CR && data[skip + 1] === 10) skip += 2;
          if (skip > 0) data = data.subarray(skip);
          const end = data.indexOf('\r\n\r\n');
          if (end < 0) {
            if (data.length > MAX_HEAD) throw new FramingError(400, 'request head over 16 KiB');
            break;
          }
          head = parseRequestHead(data, end);
          data = data.subarray(end + 4);
          if (head.chunked) chunked = new ChunkedDecoder(MAX_BODY);
        }
        let body: Buffer;
        if (chunked) {
          let used;
          try {
            used = chunked.push(data);
          } catch (error) {
            if (!(error instanceof HeadError)) throw error;
            throw new FramingError(error instanceof BodyTooLarge ? 413 : 400, error.message);
          }
          // Everything pushed is the decoder's now (what it keeps are views of it, or copies).
          if (used < 0) {
            data = data.subarray(data.length);
            break;
          }
          body = chunked.body();
          chunked = undefined;
          data = data.subarray(used);
        } else {
          if (data.length < head.length) break;
          body = data.subarray(0, head.length);
          data = data.subarray(head.length);
        }
        const { method, target, close } = head;
        head = undefined;
        const answer = handle({ method, target, body, peerPort });
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
