/**
 * The load generator's HTTP/1.1 client: keep-alive `node:net` connections to one host, each carrying one request at a
 * time, that write request bytes built in advance and read just enough of each response to frame it (status line,
 * Content-Length). It costs a fraction of node:http's CPU per request, so the load generator's core goes to the
 * processes under test. Anything it cannot frame (chunked, no Content-Length, an interim 1xx, bytes nobody asked for,
 * a connection closed mid-response) fails the request loudly instead of guessing.
 */
import { createConnection } from 'node:net';
import type { Socket } from 'node:net';

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
  length: number;
  close: boolean;
}

/** Status and framing of a response head (the text before the blank line); throws what it cannot frame. */
function parseResponseHead(head: string): ResponseHead {
  const lines = head.split('\r\n');
  const statusLine = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0]);
  if (!statusLine) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(lines[0].slice(0, 80))}`);
  const status = Number(statusLine[2]);
  if (status < 200) throw new Error(`interim response ${status}: the bench client sends no Expect and no Upgrade`);
  let length: number | undefined;
  let close = statusLine[1] === '0';
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i].indexOf(':');
    if (colon <= 0) throw new Error(`malformed response header line: ${JSON.stringify(lines[i].slice(0, 80))}`);
    const name = lines[i].slice(0, colon).toLowerCase();
    const value = lines[i].slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value)))
        throw new Error(`bad Content-Length in the response: ${JSON.stringify(value)}`);
      length = Number(value);
    } else if (name === 'transfer-encoding') {
      throw new Error(`response with Transfer-Encoding ${value}: the bench client frames by Content-Length only`);
    } else if (name === 'connection') {
      const tokens = value.toLowerCase().split(/\s*,\s*/);
      if (tokens.includes('close')) close = true;
      else if (tokens.includes('keep-alive')) close = false;
    }
  }
  if (status === 204 || status === 304) length = 0;
  if (length === undefined)
    throw new Error(`response ${status} without Content-Length: the bench client does not read to the close`);
  return { status, length, close };
}

/** One keep-alive connection; `onIdle` when its response ended and it may carry the next, `onGone` once closed. */
class Connection {
  readonly #socket: Socket;
  #job: Job | undefined;
  /** Bytes of a response head not complete yet. */
  #head: Buffer | undefined;
  /** The head of the response being read, and how many body bytes of it are still to come. */
  #response: ResponseHead | undefined;
  #bodyLeft = 0;
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
    this.#socket = createConnection({ host, port, noDelay: true });
    this.#socket.once('connect', () => (this.localPort = this.#socket.localPort ?? 0));
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
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

  #onData(chunk: Buffer): void {
    const job = this.#job;
    if (!job) return this.#fail(new Error(`${chunk.length} bytes from the server with no request outstanding`));
    this.#received += chunk.length;
    let rest = chunk;
    if (!this.#response) {
      const head = this.#head ? Buffer.concat([this.#head, chunk]) : chunk;
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_RESPONSE_HEAD) return this.#fail(new Error('response head over 16 KiB'));
        this.#head = head;
        return;
      }
      this.#head = undefined;
      try {
        this.#response = parseResponseHead(head.toString('latin1', 0, end));
      } catch (error) {
        return this.#fail(error as Error);
      }
      this.#bodyLeft = this.#response.length;
      rest = head.subarray(end + 4);
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
