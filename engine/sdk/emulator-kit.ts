/**
 * What every vendor emulator shares: a node:http server on loopback, routing by method and path template, a log of
 * every request, a rate limit answered with 429 + Retry-After, and failure controls (next N calls fail, add latency,
 * stall, drop the connection after the change is committed, commit once the client has given up), from code and over
 * HTTP under `/__emulator/`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EmulatorHandle, EmulatorOptions } from './connector.js';

/** A request as routes and the request log see it. */
export interface EmulatorRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON or form body, or the raw text. */
  body: unknown;
  params: Record<string, string>;
}

/** What a route answers. */
export interface EmulatorReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One vendor endpoint. */
export interface Route {
  method: string;
  /** Path template: `/V1/products/:sku`. */
  path: string;
  /** `public` routes skip authentication (token endpoints). */
  public?: boolean;
  handle(request: EmulatorRequest): EmulatorReply;
}

/** An injected failure (failure controls). */
export interface Fault {
  /** How many matching calls it applies to. @default 1 */
  times?: number;
  /** Only for paths starting with this. */
  pathPrefix?: string;
  /** Only for this HTTP method (a create's POST, not the GET that looks the record up first). */
  method?: string;
  /** Answer with this status (and body) instead of handling the call. */
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Add latency before answering. */
  delayMs?: number;
  /** Never answer. */
  stall?: boolean;
  /** Handle the call (the change is committed), then destroy the socket without answering. */
  dropAfterCommit?: boolean;
  /**
   * Wait until the client gives up on the call (its timeout closes the connection), then handle it (the change is
   * committed) and answer nothing: a commit too late for the client, made before anything the client sends next (its
   * retry). A fixed delay cannot promise both: it counts from when the emulator read the call, which a loaded machine
   * delays, so the commit and the retry's look-up could come in either order.
   */
  commitWhenAbandoned?: boolean;
}

/** A running emulator with its failure controls and request log. */
export interface EmulatorServer extends EmulatorHandle {
  readonly requests: EmulatorRequest[];
  readonly port: number;
  fail(fault: Fault): void;
  clearFaults(): void;
  /** Requests per second allowed before 429; 0 turns the limit off. */
  setRateLimit(perSecond: number): void;
}

/** What a vendor emulator declares: routes, auth, vendor-shaped bodies, state and controls. */
export interface EmulatorDefinition {
  name: string;
  routes: Route[];
  /** Returns an error reply when the request is not authenticated. */
  authenticate?(request: EmulatorRequest): EmulatorReply | undefined;
  /** Vendor-shaped 429 body. */
  rateLimitedBody?: unknown;
  /** Vendor-shaped 404 body for unknown paths. */
  notFound?(request: EmulatorRequest): EmulatorReply;
  state(): unknown;
  reset(): void;
  rateLimitPerSecond?: number;
  /** Vendor-specific controls under `/__emulator/<name>` (POST, JSON body), e.g. `expire-tokens` or `lock`. */
  controls?: Record<string, (body: unknown) => EmulatorReply>;
  /** Metering after authentication (Salesforce's daily API allocation): a refusal reply, or undefined to go on. */
  admit?(request: EmulatorRequest): EmulatorReply | undefined;
  /** Headers the vendor puts on every answer to this request (Salesforce `Sforce-Limit-Info`). */
  responseHeaders?(request: EmulatorRequest): Record<string, string> | undefined;
}

/** Starts an emulator on loopback (a random port unless `port` is given). */
export async function startEmulatorServer(
  definition: EmulatorDefinition,
  options: EmulatorOptions = {},
): Promise<EmulatorServer> {
  const requests: EmulatorRequest[] = [];
  let faults: (Fault & { left: number })[] = [];
  let limit = definition.rateLimitPerSecond ?? 0;
  let window = { start: Date.now(), count: 0 };
  const routes = definition.routes.map((r) => ({ ...r, regex: templateRegex(r.path) }));

  const server: Server = createServer(async (req, res) => {
    const request = await readRequest(req);
    if (request.path.startsWith('/__emulator/')) return control(request, res);
    requests.push(request);
    const send = (res: ServerResponse, reply: EmulatorReply) =>
      sendReply(res, { ...reply, headers: { ...definition.responseHeaders?.(request), ...reply.headers } });
    const fault = faults.find(
      (f) =>
        f.left > 0 &&
        (!f.pathPrefix || request.path.startsWith(f.pathPrefix)) &&
        (!f.method || f.method === request.method),
    );
    if (fault) fault.left--;
    faults = faults.filter((f) => f.left > 0);
    if (fault?.stall) return; // the socket stays open and silent
    if (fault?.commitWhenAbandoned) await abandoned(res);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.status) return send(res, { status: fault.status, body: fault.body, headers: fault.headers });
    if (limit > 0) {
      if (Date.now() - window.start >= 1000) window = { start: Date.now(), count: 0 };
      // Retry-After in whole seconds until the current one-second window ends, as most vendors round it.
      const retryAfter = String(Math.max(1, Math.ceil((window.start + 1000 - Date.now()) / 1000)));
      if (++window.count > limit)
        return send(res, {
          status: 429,
          body: definition.rateLimitedBody ?? { message: 'rate limit exceeded' },
          headers: { 'retry-after': retryAfter },
        });
    }
    const match = routes
      .map((r) => ({ r, m: r.method === request.method ? r.regex.exec(request.path) : null }))
      .find((x) => x.m);
    if (!match)
      return send(
        res,
        definition.notFound?.(request) ?? {
          status: 404,
          body: { message: `no route ${request.method} ${request.path}` },
        },
      );
    if (!match.r.public) {
      const denied = definition.authenticate?.(request);
      if (denied) return send(res, denied);
    }
    const refused = definition.admit?.(request);
    if (refused) return send(res, refused);
    request.params = Object.fromEntries(
      Object.entries(match.m!.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]),
    );
    const reply = safeHandle(match.r, request);
    if (fault?.dropAfterCommit || fault?.commitWhenAbandoned) return void res.socket?.destroy();
    send(res, reply);
  });

  function control(request: EmulatorRequest, res: ServerResponse): void {
    const send = sendReply;
    const path = request.path.slice('/__emulator'.length);
    if (request.method === 'GET' && path === '/requests') return send(res, { status: 200, body: requests });
    if (request.method === 'GET' && path === '/state') return send(res, { status: 200, body: definition.state() });
    if (request.method === 'POST' && path === '/faults') {
      const list = Array.isArray(request.body) ? request.body : [request.body];
      if (list.some((f) => f === null || typeof f !== 'object'))
        return send(res, {
          status: 400,
          body: { message: 'POST a JSON fault object (or a list of them), e.g. {"status":503,"times":2}' },
        });
      for (const fault of list) handle.fail(fault as Fault);
      return send(res, { status: 204 });
    }
    if (request.method === 'DELETE' && path === '/faults') {
      handle.clearFaults();
      return send(res, { status: 204 });
    }
    if (request.method === 'POST' && path === '/rate-limit') {
      handle.setRateLimit(Number((request.body as { per_second?: number })?.per_second ?? 0));
      return send(res, { status: 204 });
    }
    const custom = request.method === 'POST' ? definition.controls?.[path.slice(1)] : undefined;
    if (custom) return send(res, custom(request.body));
    if (request.method === 'GET' && path === '/faults')
      return send(res, { status: 200, body: faults.map(({ left, ...f }) => ({ ...f, left })) });
    if (request.method === 'POST' && path === '/reset') {
      definition.reset();
      requests.length = 0;
      faults = [];
      limit = definition.rateLimitPerSecond ?? 0;
      return send(res, { status: 204 });
    }
    send(res, { status: 404, body: { message: `no emulator control ${request.method} ${path}` } });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const handle: EmulatorServer = {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    requests,
    fail: (fault) => faults.push({ ...fault, left: fault.times ?? 1 }),
    clearFaults: () => void (faults = []),
    setRateLimit: (perSecond) => {
      limit = perSecond;
      window = { start: Date.now(), count: 0 };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return handle;
}

function safeHandle(route: Route, request: EmulatorRequest): EmulatorReply {
  try {
    return route.handle(request);
  } catch (error) {
    return { status: 500, body: { message: `emulator error: ${(error as Error).message}` } };
  }
}

function templateRegex(template: string): RegExp {
  const pattern = template.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:([A-Za-z_]+)/g, '(?<$1>[^/]+)');
  return new RegExp(`^${pattern}$`);
}

/**
 * Settles once the client has closed the call's connection (at once if it already has). Its FIN or RST is read as the
 * socket's `end` or `error`, in the same turn and before the connection the client opens next can deliver a request;
 * `close` comes a turn later, when that request may already have been handled (seen at load 20).
 */
function abandoned(res: ServerResponse): Promise<void> {
  const socket = res.socket;
  if (!socket || socket.destroyed || socket.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      socket.off('end', done).off('error', done).off('close', done);
      resolve();
    };
    socket.on('end', done).on('error', done).on('close', done);
  });
}

async function readRequest(req: IncomingMessage): Promise<EmulatorRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://emulator');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers))
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  let body: unknown = text === '' ? undefined : text;
  if (text && (headers['content-type'] ?? '').includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  } else if (text && (headers['content-type'] ?? '').includes('x-www-form-urlencoded'))
    body = Object.fromEntries(new URLSearchParams(text));
  return {
    method: req.method ?? 'GET',
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers,
    body,
    params: {},
  };
}

function sendReply(res: ServerResponse, reply: EmulatorReply): void {
  const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    ...reply.headers,
  });
  res.end(text);
}
