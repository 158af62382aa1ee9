/**
 * The engine bench's rig on node:http instead of the lean node:net pieces (BENCH_RIG_HTTP=node), to compare what the
 * rig costs: the load generator sends the same prepared request bytes through node:http's keep-alive Agent (method,
 * path, headers in their order and case, and body taken from them once, before the clock starts), and the fake ERP is
 * a node:http server with the same handler and answer. This is the rig the bench had before session 12.
 */
import { Agent, createServer, request } from 'node:http';
import type { OutgoingHttpHeaders, Server } from 'node:http';
import type { BenchRequest, BenchResponse } from './bench-http-server.js';

/** Which HTTP the rig's children speak: the lean node:net pieces (the default) or node:http. */
export const RIG_HTTP: 'lean' | 'node' = process.env.BENCH_RIG_HTTP === 'node' ? 'node' : 'lean';

interface SplitRequest {
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/** A prepared request's bytes taken apart (request line, header lines, the body after the blank line). */
export function splitRequest(bytes: Buffer): SplitRequest {
  const end = bytes.indexOf('\r\n\r\n');
  const [requestLine, ...lines] = bytes.toString('latin1', 0, end).split('\r\n');
  const [method, path] = requestLine.split(' ');
  const headers: OutgoingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return { method, path, headers, body: bytes.subarray(end + 4) };
}

/** The lean KeepAliveClient's surface over node:http's Agent (`maxSockets` connections, kept alive). */
export class NodeHttpClient {
  readonly answeredByLocalPort = new Map<number, number>();
  readonly #agent: Agent;
  readonly #split = new WeakMap<Buffer, SplitRequest>();
  #opened = 0;

  constructor(
    private readonly host: string,
    private readonly port: number,
    readonly maxConnections: number,
  ) {
    this.#agent = new Agent({ keepAlive: true, maxSockets: maxConnections });
    // Counted as the Agent opens them (its 'free' sockets are reused).
    const create = this.#agent.createConnection.bind(this.#agent);
    this.#agent.createConnection = (...args: Parameters<typeof create>) => {
      this.#opened++;
      return create(...args);
    };
  }

  get opened(): number {
    return this.#opened;
  }

  /** Takes `requests` apart now, so that `send` does not in the timed loop. */
  prepare(requests: Buffer[]): void {
    for (const r of requests) this.#split.set(r, splitRequest(r));
  }

  openAll(request: Buffer): Promise<number[]> {
    return Promise.all(Array.from({ length: this.maxConnections }, () => this.send(request)));
  }

  send(bytes: Buffer, retry = true): Promise<number> {
    let split = this.#split.get(bytes);
    if (!split) this.#split.set(bytes, (split = splitRequest(bytes)));
    const { method, path, headers, body } = split;
    return new Promise((resolve, reject) => {
      const req = request({ agent: this.#agent, host: this.host, port: this.port, method, path, headers }, (res) => {
        const port = res.socket.localPort ?? 0;
        res.resume();
        res.on('end', () => {
          this.answeredByLocalPort.set(port, (this.answeredByLocalPort.get(port) ?? 0) + 1);
          resolve(res.statusCode ?? 0);
        });
        res.on('error', reject);
      });
      // A reused keep-alive socket the server closed at that moment: sent once more, as the lean client does.
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (retry && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))
          this.send(bytes, false).then(resolve, reject);
        else reject(error);
      });
      req.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** The fake ERP's server on node:http: the whole body read, `handle`'s answer written with its length. */
export function createNodeHttpServer(handle: (request: BenchRequest) => BenchResponse): Server {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const answer = handle({
        method: req.method ?? '',
        target: req.url ?? '',
        body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
        peerPort: req.socket.remotePort ?? 0,
      });
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(answer.body),
      });
      res.end(answer.body);
    });
  });
  // As the lean server: idle keep-alive connections close after 60 s.
  server.keepAliveTimeout = 60_000;
  return server;
}
