/**
 * The engine's HTTP surface (node:http, no framework): webhook ingest, health, Prometheus metrics and the JSON API
 * the dashboard uses.
 *   GET  /                         the dashboard (engine/dashboard)
 *   POST /hooks/<integration>      ingest (202 after PubAck)
 *   POST /hooks/git                GitHub push webhook, when Git sync is attached
 *   GET  /healthz  /readyz         liveness; readiness = NATS connected and provisioned
 *   GET  /metrics                  Prometheus text format
 *   GET  /api/status               per-integration counts, lag, active commit
 *   GET  /api/dlq[?integration=&status=]   dead letters (secrets redacted)
 *   GET  /api/dlq/<id>             one dead letter
 *   POST /api/dlq/<id>/replay      replay one dead letter
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveDashboard } from '../../dashboard/serve-dashboard.js';
import type { DeadLetter } from '../stores/dead-letter-store.js';
import type { ReplayOutcome } from '../stores/dead-letter-replay.js';
import type { EngineStatus } from '../observe/engine-status.js';
import type { IngestReply } from './webhook-ingest.js';

export interface HttpApi {
  ingest(integration: string, req: IncomingMessage): Promise<IngestReply>;
  ready(): boolean;
  metrics(): Promise<{ contentType: string; body: string }>;
  status(): Promise<EngineStatus>;
  listDeadLetters(filter: { integration?: string; status?: DeadLetter['status'] }): Promise<DeadLetter[]>;
  getDeadLetter(id: string): Promise<DeadLetter | undefined>;
  replay(id: string): Promise<ReplayOutcome>;
  /** `POST /hooks/git`: a push webhook for GitOps (engine/gitops); 404 when no Git sync is attached. */
  gitWebhook?(req: IncomingMessage): Promise<{ status: number; body: Record<string, unknown> }>;
}

export interface HttpServerHandle {
  url: string;
  port: number;
  /** Stops accepting connections and waits for requests in progress (ingest answers only after its PubAck). */
  close(): Promise<void>;
}

export async function startHttpServer(
  api: HttpApi,
  options: { port: number; host: string; onError?: (error: unknown) => void },
): Promise<HttpServerHandle> {
  const server = createServer((req, res) => {
    route(api, req, res).catch((error) => {
      options.onError?.(error);
      if (!res.headersSent) send(res, 500, { error: 'internal', message: 'internal error' });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

async function route(api: HttpApi, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://engine');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  if (path === '/hooks/git' && method === 'POST' && api.gitWebhook) {
    const reply = await api.gitWebhook(req);
    return send(res, reply.status, reply.body);
  }
  const hook = /^\/hooks\/([^/]+)\/?$/.exec(path);
  if (hook) {
    if (method !== 'POST') return send(res, 405, { error: 'method-not-allowed', message: 'webhooks are POSTed' });
    const reply = await api.ingest(decodeURIComponent(hook[1]), req);
    return send(res, reply.status, reply.body, reply.close);
  }
  if (serveDashboard(req, res)) return;
  if (method === 'GET' && path === '/healthz') return send(res, 200, { ok: true });
  if (method === 'GET' && path === '/readyz')
    return api.ready() ? send(res, 200, { ready: true }) : send(res, 503, { ready: false });
  if (method === 'GET' && path === '/metrics') {
    const { contentType, body } = await api.metrics();
    res.writeHead(200, { 'content-type': contentType });
    return void res.end(body);
  }
  if (method === 'GET' && path === '/api/status') return send(res, 200, await api.status());
  if (method === 'GET' && path === '/api/dlq') {
    const status = url.searchParams.get('status');
    const entries = await api.listDeadLetters({
      integration: url.searchParams.get('integration') ?? undefined,
      status: status === 'open' || status === 'replayed' ? status : undefined,
    });
    return send(res, 200, { entries });
  }
  const one = /^\/api\/dlq\/([A-Za-z0-9_-]+)$/.exec(path);
  if (method === 'GET' && one) {
    const entry = await api.getDeadLetter(one[1]);
    return entry ? send(res, 200, entry) : send(res, 404, { error: 'not-found', message: `no dead letter ${one[1]}` });
  }
  const replay = /^\/api\/dlq\/([A-Za-z0-9_-]+)\/replay$/.exec(path);
  if (method === 'POST' && replay) {
    const outcome = await api.replay(replay[1]);
    if (outcome.status === 'not-found')
      return send(res, 404, { error: 'not-found', message: `no dead letter ${replay[1]}` });
    if (outcome.status === 'already-replayed')
      return send(res, 409, { error: 'already-replayed', message: `dead letter ${replay[1]} was already replayed` });
    return send(res, 202, { replayed: outcome.entry.id, seq: outcome.seq });
  }
  send(res, 404, { error: 'not-found', message: `no route ${method} ${path}` });
}

function send(res: ServerResponse, status: number, body: unknown, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
}
