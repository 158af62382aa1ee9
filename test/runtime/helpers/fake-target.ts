/**
 * The fake target of the fault matrix: an HTTP server on 127.0.0.1 that records every request and keeps records by
 * natural key, so a test can count effective writes per event. Faults are injected per request by `fault`.
 *   PUT  /records/<key>   upsert; an identical body is not an effective write
 *   POST /records         create; like the vendors (Salesforce, Magento, M3) it ignores Idempotency-Key
 *   GET  /records?key=    the stored records with that natural key (the look-up a step's `find` uses)
 *   GET  /source?after=   records of `source` with a cursor greater than `after` (schedule polling)
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TargetRequest {
  method: string;
  path: string;
  key?: string;
  idempotencyKey?: string;
  workerPid?: number;
  body: Record<string, unknown> | undefined;
  /** 1-based count of requests seen so far for this natural key (this one included). */
  attempt: number;
  at: number;
}

/** What to do with one request. */
export type Fault =
  /** Answer this instead of committing (after `delayMs`, and once `until` settles, if given). */
  | {
      respond: { status: number; headers?: Record<string, string>; body?: unknown };
      delayMs?: number;
      until?: Promise<unknown>;
    }
  | { stall: true }
  | { delayMs: number }
  /** Commit once `until` settles (a test's gate: hold requests until enough are at the target together). */
  | { until: Promise<unknown> }
  | { afterCommit: 'destroy' }
  | { afterCommit: 'kill' }
  /** Commit, then answer its status with this text as the body (an answer the connector cannot read). */
  | { afterCommit: { text: string } };

export interface FakeTarget {
  url: string;
  requests: TargetRequest[];
  /** Stored record bodies by natural key. */
  records: Map<string, Record<string, unknown>>;
  /** Effective writes per natural key (state changes). */
  effectiveWrites: Map<string, number>;
  /** Order in which committed writes arrived, per natural key (the body's `seq`). */
  committedOrder: Map<string, number[]>;
  maxConcurrent: number;
  /** Source records for GET /source. */
  source: { cursor: number; record: Record<string, unknown> }[];
  fault?: (request: TargetRequest) => Fault | undefined;
  /** Called after every committed write, effective or not (real systems emit change events even for no-op writes). */
  onWrite?: (key: string, record: Record<string, unknown>) => void;
  stop(): Promise<void>;
}

export async function startFakeTarget(): Promise<FakeTarget> {
  const sockets = new Set<Socket>();
  let active = 0;
  let nextId = 1;
  const target: FakeTarget = {
    url: '',
    requests: [],
    records: new Map(),
    effectiveWrites: new Map(),
    committedOrder: new Map(),
    maxConcurrent: 0,
    source: [],
    stop: async () => undefined,
  };
  const perKey = new Map<string, number>();
  /** Id of the last record created per natural key. */
  const ids = new Map<string, string>();

  const commit = (req: TargetRequest): { status: number; body: unknown } => {
    const url = new URL(req.path, 'http://x');
    if (req.method === 'GET' && url.pathname === '/records') {
      const key = url.searchParams.get('key') ?? '';
      const record = target.records.get(key);
      return { status: 200, body: { items: record ? [{ ...record, id: ids.get(key) ?? key, key }] : [] } };
    }
    if (req.method === 'GET')
      return {
        status: 200,
        body: {
          items: target.source
            .filter((s) => s.cursor > Number(url.searchParams.get('after') || 0))
            .map((s) => s.record),
        },
      };
    const key = req.key!;
    const previous = target.records.get(key);
    // PUT merges (PATCH-like), as the vendors' partial updates do.
    const next = req.method === 'POST' ? (req.body ?? {}) : { ...previous, ...req.body };
    const changed = req.method === 'POST' || JSON.stringify(previous) !== JSON.stringify(next);
    if (changed) {
      target.effectiveWrites.set(key, (target.effectiveWrites.get(key) ?? 0) + 1);
      target.committedOrder.set(key, [...(target.committedOrder.get(key) ?? []), Number(req.body?.seq ?? 0)]);
    }
    target.records.set(key, next);
    target.onWrite?.(key, next);
    if (req.method !== 'POST') return { status: 200, body: { id: key, key } };
    const id = `rec-${nextId++}`;
    ids.set(key, id);
    return { status: 201, body: { id, key } };
  };

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    active++;
    target.maxConcurrent = Math.max(target.maxConcurrent, active);
    try {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = chunks.length
        ? (JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>)
        : undefined;
      const path = req.url ?? '/';
      const key = path.startsWith('/records/')
        ? decodeURIComponent(path.slice('/records/'.length))
        : body && typeof body.key === 'string'
          ? body.key
          : undefined;
      const count = key ? (perKey.get(key) ?? 0) + 1 : 1;
      if (key) perKey.set(key, count);
      const request: TargetRequest = {
        method: req.method ?? 'GET',
        path,
        key,
        idempotencyKey: header(req, 'idempotency-key'),
        workerPid: Number(header(req, 'x-worker-pid')) || undefined,
        body,
        attempt: count,
        at: Date.now(),
      };
      target.requests.push(request);
      const fault = target.fault?.(request);
      if (fault && 'stall' in fault) return; // never answer; the client times out
      if (fault && 'delayMs' in fault) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault && 'until' in fault && fault.until) await fault.until;
      if (fault && 'respond' in fault)
        return send(res, fault.respond.status, fault.respond.body ?? { error: 'injected' }, fault.respond.headers);
      const answer = commit(request);
      if (fault && 'afterCommit' in fault && typeof fault.afterCommit === 'object') {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(fault.afterCommit.text);
        return;
      }
      if (fault && 'afterCommit' in fault) {
        if (fault.afterCommit === 'kill' && request.workerPid) process.kill(request.workerPid, 'SIGKILL');
        res.socket?.destroy();
        return;
      }
      send(res, answer.status, answer.body);
    } finally {
      active--;
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target.stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return target;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(text);
}
