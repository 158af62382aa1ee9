/**
 * The operator API, after the request guards and authentication have run (operator-server.ts):
 *   GET  /api/session              who the caller is and their role
 *   GET  /api/status               per-integration counts, lag, active commit            (viewer)
 *   GET  /metrics                  Prometheus text format                                (viewer)
 *   GET  /api/dlq[?integration=&status=]   dead letters (secrets redacted)              (viewer)
 *   GET  /api/dlq/<id>             one dead letter                                       (viewer)
 *   POST /api/dlq/<id>/replay      replay one dead letter                                (operator)
 *   GET  /api/audit[?limit=&before=]   the audit trail, newest first                     (viewer)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../ingest/http-server.js';
import type { EngineStatus } from '../observe/engine-status.js';
import { redactedView } from '../stores/dead-letter-store.js';
import type { DeadLetter, DeadLetterStore } from '../stores/dead-letter-store.js';
import type { OperatorActions } from './operator-actions.js';
import type { Principal } from './principal.js';
import { SECURITY_HEADERS } from './request-guards.js';

export interface OperatorApi {
  metrics(): Promise<{ contentType: string; body: string }>;
  status(): Promise<EngineStatus>;
  deadLetters: DeadLetterStore;
  actions: OperatorActions;
}

const INTEGRATION_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const DLQ_STATUSES: readonly DeadLetter['status'][] = ['open', 'replayed'];

/** Answers an operator route; false when no route matches. */
export async function operatorRoute(
  api: OperatorApi,
  who: Principal,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const json = (status: number, body: unknown) => (sendJson(res, status, body, SECURITY_HEADERS), true);
  if (method === 'GET' && path === '/api/session') return json(200, { actor: who.actor, role: who.role, via: who.via });
  if (method === 'GET' && path === '/metrics') {
    const { contentType, body } = await api.metrics();
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': contentType });
    res.end(body);
    return true;
  }
  if (method === 'GET' && path === '/api/status') return json(200, await api.status());
  if (method === 'GET' && path === '/api/audit') {
    const limit = intParam(url, 'limit', 1, 500);
    const before = intParam(url, 'before', 1, Number.MAX_SAFE_INTEGER);
    if (limit === null || before === null)
      return json(400, { error: 'bad-query', message: 'limit must be 1..500 and before a sequence number' });
    const page = await api.actions.audit.recent({ limit: limit ?? 50, before });
    return json(200, { entries: page, next: page.length > 0 ? page[page.length - 1].seq : null });
  }
  if (method === 'GET' && path === '/api/dlq') {
    const integration = url.searchParams.get('integration') ?? undefined;
    const status = url.searchParams.get('status') ?? undefined;
    if (integration !== undefined && !INTEGRATION_NAME.test(integration))
      return json(400, { error: 'bad-query', message: `integration must match ${INTEGRATION_NAME.source}` });
    if (status !== undefined && !DLQ_STATUSES.includes(status as DeadLetter['status']))
      return json(400, { error: 'bad-query', message: `status must be one of ${DLQ_STATUSES.join(', ')}` });
    const entries = await api.deadLetters.list({ integration, status: status as DeadLetter['status'] | undefined });
    return json(200, { entries: entries.map(redactedView) });
  }
  const one = /^\/api\/dlq\/([A-Za-z0-9_-]+)$/.exec(path);
  if (method === 'GET' && one) {
    const found = await api.deadLetters.get(one[1]);
    return found ? json(200, redactedView(found.entry)) : json(404, notFound(one[1]));
  }
  const replay = /^\/api\/dlq\/([A-Za-z0-9_-]+)\/replay$/.exec(path);
  if (method === 'POST' && replay) {
    if (!(await allowed(api, who, 'dlq.replay', replay[1]))) return json(403, roleRefusal('replay'));
    const outcome = await api.actions.replay(who.actor, replay[1]);
    if (outcome.status === 'not-found') return json(404, notFound(replay[1]));
    if (outcome.status === 'already-replayed')
      return json(409, { error: 'already-replayed', message: `dead letter ${replay[1]} was already replayed` });
    return json(202, { replayed: outcome.entry.id, seq: outcome.seq });
  }
  return false;
}

/** An integer query parameter within bounds: undefined when absent, null when invalid. */
function intParam(url: URL, name: string, min: number, max: number): number | undefined | null {
  const raw = url.searchParams.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  return Number.isInteger(value) && value >= min && value <= max ? value : null;
}

/** Whether the principal may act; a refusal is audited. */
async function allowed(api: OperatorApi, who: Principal, action: string, target: string): Promise<boolean> {
  if (who.role === 'operator') return true;
  await api.actions.denied(who.actor, action, target, `role ${who.role}`);
  return false;
}

function roleRefusal(verb: string) {
  return { error: 'forbidden', message: `your role cannot ${verb}; it needs the operator role` };
}

function notFound(id: string) {
  return { error: 'not-found', message: `no dead letter ${id}` };
}
