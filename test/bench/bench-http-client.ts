/**
 * The load generator's HTTP/1.1 client: keep-alive `node:net` connections to one host, each carrying one request at a
 * time, that write request bytes built in advance and read just enough of each response to frame it (status line,
 * Content-Length or chunked: http1-framing.ts), into one buffer for all reads. It costs a fraction of node:http's CPU
 * per request, so the load generator's core goes to the processes under test. Anything it cannot frame (neither
 * Content-Length nor chunked, an interim 1xx, bytes nobody asked for, a connection closed mid-response) fails the
 * request loudly instead of guessing.
 */
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';
import { ChunkedDecoder, bodyFraming, isHttp1, readFraming } from './http1-framing.js';

/** A response head longer than this is not one the engine sends. */
const MAX_RESPONSE_HEAD = 16 * 1024;

/** Bytes of one `POST` with a body, ready to write. */
export function postRequest(host: string, path: string, headers: Record<string, string>, body: Buffer): Buffer {
  const lines = [`POST ${path} HTTP/1.1`, `host: ${host}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${body.length}`, 'connection: keep-alive', '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]);
}

interface Job {
  request: Buffer;
  resolve: (status: number) => void;
  reject: (error: Error) => void;
  /** A request written on a reused connection the server was closing at that moment is sent once more. */
  retried: boolean;
}

interface ResponseHead {
  status: number;
  /** Body bytes by Content-Length (0 when chunked). */
  length: number;
  chunked: boolean;
  close: boolean;
}

/** Status and framing of the response head in bytes 0..`end` of `buf`; throws what it cannot frame. */
function parseResponseHead(buf: Buffer, end: number): ResponseHead {
  let eol = 0;
  while (eol < end && buf[eol] !== 13) eol++;
  // `HTTP/1.x NNN` then a space and a reason (maybe empty) or the line's end (RFC 9112 4).
  const minor = buf[7] - 48;
  const digit = (i: number) => buf[i] >= 48 && buf[i] <= 57;
  if (
    eol < 12 ||
    !isHttp1(buf, 0) ||
    (minor !== 0 && minor !== 1) ||
    buf[8] !== 32 ||
    !digit(9) ||
    !digit(10) ||
    !digit(11) ||
    (eol > 12 && buf[12] !== 32)
  )
    throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(buf.toString('latin1', 0, eol).slice(0, 80))}`);
  const status = (buf[9] - 48) * 100 + (buf[10] - 48) * 10 + (buf[11] - 48);
  if (status < 200) throw new Error(`interim response ${status}: the bench client sends no Expect and no Upgrade`);
  const framing = readFraming(buf, eol + 2, end);
  const close = framing.close || (minor === 0 && !framing.keepAlive);
  // RFC 9112 6.3: a 204 or 304 has no body whatever its headers say (the client sends no HEAD).
  if (status === 204 || status === 304) return { status, length: 0, chunked: false, close };
  const body = bodyFraming(framing);
  if (body.kind === 'bad') throw new Error(`response ${status}: ${body.why}`);
  if (body.kind === 'chunked') return { status, length: 0, chunked: true, close };
  if (body.length === undefined)
    throw new Error(
      `response ${status} without Content-Length or chunked: the bench client does not read to the close`,
    );
  return { status, length: body.length, chunked: false, close };
}

/**
 * Where every connection of this process reads into (`onread`): no buffer allocated per read and no stream in
 * between. Each read is handled before the next, and what a connection keeps of one (a partial head) it copies.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** One keep-alive connection; `onIdle` when its response ended and it may carry the next, `onGone` once closed. */
class Connection {
  readonly #socket: Socket;
  #job: Job | undefined;
  /** Bytes of a response head not complete yet. */
  #head: Buffer | undefined;
  /** The head of the response being read, and how many body bytes of it are still to come. */
  #response: ResponseHead | undefined;
  #bodyLeft = 0;
  /** The decoder of a chunked response body being read. */
  #chunked: ChunkedDecoder | undefined;
  #received = 0;
  #served = 0;
  #gone = false;
  /** This end's port, once connected (how the server's side of the connection is found: worker-shares.ts). */
  localPort = 0;

  constructor(
    host: string,
    port: number,
    private readonly onIdle: (c: Connection, close: boolean) => void,
    private readonly onGone: (c: Connection, job: Job | undefined, cause: Error | undefined) => void,
  ) {
    this.#socket = createConnection({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array) => {
          this.#onData(buf as Buffer, n);
          return true;
        },
      },
    });
    this.#socket.once('connect', () => (this.localPort = this.#socket.localPort ?? 0));
    this.#socket.on('error', (error) => this.#lost(error));
    this.#socket.on('close', () => this.#lost(undefined));
  }

  /** Whether a request lost on this connection may be sent again: it was reused, and not a byte of answer came. */
  get retryable(): boolean {
    return this.#served > 0 && this.#received === 0;
  }

  start(job: Job): void {
    this.#job = job;
    this.#received = 0;
    this.#socket.write(job.request);
  }

  destroy(): void {
    this.#socket.destroy();
  }

  /** `n` bytes read into `buf` (READ_BUFFER: reused by the next read). */
  #onData(buf: Buffer, n: number): void {
    const job = this.#job;
    if (!job) return this.#fail(new Error(`${n} bytes from the server with no request outstanding`));
    this.#received += n;
    let rest = buf.subarray(0, n);
    if (!this.#response) {
      const head = this.#head ? Buffer.concat([this.#head, rest]) : rest;
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_RESPONSE_HEAD) return this.#fail(new Error('response head over 16 KiB'));
        this.#head = head === rest ? Buffer.from(rest) : head;
        return;
      }
      this.#head = undefined;
      try {
        this.#response = parseResponseHead(head, end);
      } catch (error) {
        return this.#fail(error as Error);
      }
      this.#bodyLeft = this.#response.length;
      if (this.#response.chunked) this.#chunked = new ChunkedDecoder(Infinity, false);
      rest = head.subarray(end + 4);
    }
    if (this.#chunked) {
      let used;
      try {
        used = this.#chunked.push(rest);
      } catch (error) {
        return this.#fail(error as Error);
      }
      if (used < 0) return;
      this.#chunked = undefined;
      rest = rest.subarray(used);
    }
    if (rest.length > this.#bodyLeft)
      return this.#fail(new Error(`${rest.length - this.#bodyLeft} bytes after the end of the response`));
    this.#bodyLeft -= rest.length;
    if (this.#bodyLeft > 0) return;
    const { status, close } = this.#response!;
    this.#response = undefined;
    this.#job = undefined;
    this.#served++;
    if (close) this.#gone = true;
    job.resolve(status);
    if (close) this.#socket.destroy();
    this.onIdle(this, close);
  }

  #fail(error: Error): void {
    this.#lost(error);
    this.#socket.destroy();
  }

  #lost(cause: Error | undefined): void {
    if (this.#gone) return;
    this.#gone = true;
    const job = this.#job;
    this.#job = undefined;
    this.onGone(this, job, cause);
  }
}

/**
 * Up to `maxConnections` keep-alive connections to `host:port`; `send` writes a request on an idle connection (or a
 * new one, or waits for one) and resolves with the response's status once the whole response is read.
 */
export class KeepAliveClient {
  /** Responses read so far per connection, by the connection's local port. */
  readonly answeredByLocalPort = new Map<number, number>();
  readonly #idle: Connection[] = [];
  readonly #all = new Set<Connection>();
  readonly #waiting: Job[] = [];
  #nextWaiting = 0;
  #closed = false;
  #opened = 0;
  #broken: Error | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    readonly maxConnections: number,
  ) {}

  /** Connections opened so far (the ones closed since included). */
  get opened(): number {
    return this.#opened;
  }

  /**
   * Opens all `maxConnections` connections by sending `request` (a cheap GET) on each at once, idle ones included,
   * so that a timed run that follows writes its first requests on open connections instead of each waiting for a
   * handshake and the server's accept. Resolves with the statuses.
   */
  openAll(request: Buffer): Promise<number[]> {
    return Promise.all(Array.from({ length: this.maxConnections }, () => this.send(request)));
  }

  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => this.#dispatch({ request, resolve, reject, retried: false }));
  }

  /** Closes every connection; requests still open fail. */
  close(): void {
    this.#closed = true;
    for (const c of this.#all) c.destroy();
  }

  #dispatch(job: Job): void {
    if (this.#closed) return job.reject(new Error('client closed'));
    if (this.#broken) return job.reject(this.#broken);
    const idle = this.#idle.pop();
    if (idle) return idle.start(job);
    if (this.#all.size < this.maxConnections) return this.#open().start(job);
    this.#waiting.push(job);
  }

  #open(): Connection {
    const c = new Connection(
      this.host,
      this.port,
      (c, close) => this.#onIdle(c, close),
      (c, job, cause) => this.#onGone(c, job, cause),
    );
    this.#all.add(c);
    this.#opened++;
    return c;
  }

  #nextJob(): Job | undefined {
    if (this.#nextWaiting === this.#waiting.length) return undefined;
    const job = this.#waiting[this.#nextWaiting++];
    if (this.#nextWaiting === this.#waiting.length) this.#waiting.length = this.#nextWaiting = 0;
    return job;
  }

  #onIdle(c: Connection, close: boolean): void {
    this.answeredByLocalPort.set(c.localPort, (this.answeredByLocalPort.get(c.localPort) ?? 0) + 1);
    if (close) this.#all.delete(c);
    const job = this.#nextJob();
    if (!job) {
      if (!close) this.#idle.push(c);
    } else if (close) this.#dispatch(job);
    else c.start(job);
  }

  #onGone(c: Connection, job: Job | undefined, cause: Error | undefined): void {
    this.#all.delete(c);
    const at = this.#idle.indexOf(c);
    if (at >= 0) this.#idle.splice(at, 1);
    const where = `${this.host}:${this.port}`;
    if (!job) {
      // Bytes or an error on an idle connection: the next request fails with it rather than nobody hearing of it.
      if (cause && !this.#closed) this.#broken = new Error(`${where}: ${cause.message}`);
    } else if (c.retryable && !job.retried && !this.#closed) this.#dispatch({ ...job, retried: true });
    else job.reject(new Error(cause ? `${where}: ${cause.message}` : `${where} closed the connection mid-response`));
    const next = this.#all.size < this.maxConnections ? this.#nextJob() : undefined;
    if (next) this.#dispatch(next);
  }
}
