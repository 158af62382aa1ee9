/**
 * The operator API, after the request guards and authentication have run (operator-server.ts):
 *   GET  /api/session              who the caller is and their role
 *   GET  /api/status               per-integration counts, lag, active commit            (viewer)
 *   GET  /metrics                  Prometheus text format                                (viewer)
 *   GET  /api/dlq?limit=&cursor=&integration=&status=&q=&order=   a page of summaries, newest first (viewer)
 *   GET  /api/dlq/<id>             one dead letter                                       (viewer)
 *   POST /api/dlq/<id>/replay      replay one dead letter                                (operator)
 *   POST /api/dlq/<id>/resolve     {reason}: mark it handled without a replay           (operator)
 *   POST /api/dlq/<id>/discard     {reason}: delete it and its customer data            (operator)
 *   POST /api/dlq/purge            {reason, integration?, before?}: discard many         (operator)
 *   GET  /api/audit[?limit=&before=]   the audit trail, newest first                     (viewer)
 *   GET  /api/retrying[?integration=]  keys whose event is being retried with backoff      (viewer)
 *   POST /api/retrying/give-up     {integration, key, reason, eventId?}: dead-letter it now (operator)
 *   POST /api/retrying/retry-now   {integration, key, reason?, eventId?}: skip its backoff  (operator)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../ingest/http-server.js';
import { discard } from '../ingest/read-webhook-body.js';
import type { EngineStatus } from '../observe/engine-status.js';
import { DEAD_LETTER_STATUSES } from '../stores/dead-letter-statuses.js';
import type { DeadLetterStatus } from '../stores/dead-letter-statuses.js';
import { INTEGRATION_NAME } from '../stores/dead-letter-id.js';
import type { DeadLetterStore } from '../stores/dead-letter-store.js';
import { decodeCursor } from '../stores/dead-letter-index.js';
import type { DeadLetterIndex } from '../stores/dead-letter-index.js';
import { deadLetterView } from './dead-letter-views.js';
import { stepsRerunMessage } from './replay-steps-message.js';
import { pausedReplayMessage } from './replay-paused-message.js';
import { enrichmentRefusedMessage } from './replay-enrichment-message.js';
import type { DeadLetterChange, OperatorActions } from './operator-actions.js';
import type { Principal, Role } from './principal.js';
import type { FieldPath } from '../../http/redact.js';
import { SECURITY_HEADERS } from './request-guards.js';
import { MAX_REASON_CHARS, reasonTooLong } from './action-reason.js';
import { purgeFilterOf } from './purge-filter.js';
import { retryingRoute } from './retrying-routes.js';
import type { RetryingKeys } from './retrying-keys.js';

export interface OperatorApi {
  metrics(): Promise<{ contentType: string; body: string }>;
  status(): Promise<EngineStatus>;
  deadLetters: DeadLetterStore;
  /** The summaries the listing pages through (no per-entry read). */
  dlqIndex: DeadLetterIndex;
  actions: OperatorActions;
  /** The operator features' read-only routes (trace-reconcile-routes.ts), answered for a role. */
  ops?: (method: string, url: URL, role: Role) => Promise<[number, unknown] | undefined>;
  /** An integration's `redact` paths in the active spec set (none for an integration that is gone). */
  redactPaths?: (integration: string) => readonly FieldPath[];
  /** Keys whose event is being retried, and the give-up and retry-now orders on them. */
  retrying?: RetryingKeys;
}

const MAX_BODY_BYTES = 16 * 1024;

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
  const ops = await api.ops?.(method, url, who.role);
  if (ops) return json(...ops);
  if (method === 'GET' && path === '/api/audit') {
    const limit = intParam(url, 'limit', 1, 500);
    const before = intParam(url, 'before', 1, Number.MAX_SAFE_INTEGER);
    if (limit === null || before === null)
      return json(400, { error: 'bad-query', message: 'limit must be 1..500 and before a sequence number' });
    const page = await api.actions.audit.recent({ limit: limit ?? 50, before });
    return json(200, { entries: page, next: page.length > 0 ? page[page.length - 1].seq : null });
  }
  if (api.retrying && path.startsWith('/api/retrying')) {
    const answer = await retryingRoute(api.retrying, who, method, url, () => readJson(req), {
      denied: (action, target) => api.actions.denied(who.actor, action, target, `role ${who.role}`),
    });
    if (answer === 'too-large') return tooLarge(res);
    if (answer) return json(...answer);
  }
  if (method === 'GET' && path === '/api/dlq') {
    const integration = url.searchParams.get('integration') ?? undefined;
    const status = url.searchParams.get('status') ?? undefined;
    if (integration !== undefined && !INTEGRATION_NAME.test(integration))
      return json(400, { error: 'bad-query', message: `integration must match ${INTEGRATION_NAME.source}` });
    if (status !== undefined && !DEAD_LETTER_STATUSES.includes(status as DeadLetterStatus))
      return json(400, { error: 'bad-query', message: `status must be one of ${DEAD_LETTER_STATUSES.join(', ')}` });
    const q = url.searchParams.get('q') || undefined;
    if (q !== undefined && q.length > 200)
      return json(400, { error: 'bad-query', message: 'q must be at most 200 characters' });
    const limit = intParam(url, 'limit', 1, 500);
    const cursor = url.searchParams.get('cursor') ?? undefined;
    const order = url.searchParams.get('order') ?? 'newest';
    if (limit === null || (cursor !== undefined && !decodeCursor(cursor)) || !['newest', 'oldest'].includes(order))
      return json(400, {
        error: 'bad-query',
        message: 'limit must be 1..500, cursor a "next" from a previous page and order newest or oldest',
      });
    await api.dlqIndex.sync();
    const page = api.dlqIndex.page({
      integration,
      status: status as DeadLetterStatus | undefined,
      q,
      limit: limit ?? 50,
      cursor,
      oldest: order === 'oldest',
    });
    return json(200, page);
  }
  if (method === 'POST' && path === '/api/dlq/purge') {
    if (!(await allowed(api, who, 'dlq.purge', 'dlq'))) return json(403, roleRefusal('purge'));
    const given = await readReason(req, res);
    if (given === true) return true;
    const { body, reason } = given;
    const filter = purgeFilterOf(body);
    if ('refused' in filter) return json(400, { error: 'bad-request', message: filter.refused });
    const outcome = await unlessFailed(res, 'purge', undefined, () => api.actions.purge(who.actor, filter, reason));
    return outcome === undefined || json(200, { purged: outcome.ids });
  }
  const one = /^\/api\/dlq\/([A-Za-z0-9_-]+)$/.exec(path);
  if (method === 'GET' && one) {
    const found = await api.deadLetters.get(one[1]);
    if (!found) return json(404, notFound(one[1]));
    const newer = await api.actions.staleness(found.entry);
    const paths = api.redactPaths?.(found.entry.integration);
    return json(200, { ...deadLetterView(found.entry, who.role, paths), ...(newer ? { stale: newer } : {}) });
  }
  const change = /^\/api\/dlq\/([A-Za-z0-9_-]+)\/(resolve|discard)$/.exec(path);
  if (method === 'POST' && change) {
    const [, id, verb] = change;
    if (!(await allowed(api, who, `dlq.${verb}`, id))) return json(403, roleRefusal(verb));
    const given = await readReason(req, res);
    if (given === true) return true;
    const { reason } = given;
    const outcome: DeadLetterChange | undefined = await unlessFailed(res, verb as 'resolve' | 'discard', id, () =>
      verb === 'resolve' ? api.actions.resolve(who.actor, id, reason) : api.actions.discard(who.actor, id, reason),
    );
    if (outcome === undefined) return true;
    if (outcome.status === 'not-found') return json(404, notFound(id));
    if (!('entry' in outcome)) return json(409, refusal(id, outcome));
    return json(200, { [outcome.status]: id });
  }
  const replay = /^\/api\/dlq\/([A-Za-z0-9_-]+)\/replay$/.exec(path);
  if (method === 'POST' && replay) {
    if (!(await allowed(api, who, 'dlq.replay', replay[1]))) return json(403, roleRefusal('replay'));
    const force = url.searchParams.get('force') === '1';
    const outcome = await unlessFailed(res, 'replay', replay[1], () =>
      api.actions.replay(who.actor, replay[1], { force }),
    );
    if (outcome === undefined) return true;
    if (outcome.status === 'not-found') return json(404, notFound(replay[1]));
    if (outcome.status === 'stale')
      return json(409, {
        error: 'stale',
        message:
          (outcome.newer.deliveredAt
            ? `a later event of key ${outcome.entry.key} was delivered at ${outcome.newer.deliveredAt}: replaying ` +
              'would write older data over it'
            : `a later event of key ${outcome.entry.key} (stored at ${outcome.newer.storedAt}) is still being ` +
              `retried (its last attempt failed at ${outcome.newer.lastFailedAt}): it will be delivered before this ` +
              'replay, which would then write older data over it') + '; replay with ?force=1 to do it anyway',
        newer: outcome.newer,
      });
    if (outcome.status === 'steps-changed')
      return json(409, {
        error: 'steps-changed',
        message: `${stepsRerunMessage(outcome.steps, outcome.expired)}; replay with ?force=1 to run them again`,
        steps: outcome.steps,
        expired: outcome.expired,
      });
    if (outcome.status === 'integration-paused')
      return json(409, {
        error: 'integration-paused',
        message: `dead letter ${replay[1]} was not replayed: ${pausedReplayMessage(outcome.entry.integration, outcome.pause)}`,
        paused: outcome.pause,
      });
    if (outcome.status === 'enrichment-refused')
      return json(409, {
        error: 'enrichment-refused',
        message: `dead letter ${replay[1]} was not replayed: ${enrichmentRefusedMessage(outcome.entry)} (?force=1)`,
      });
    if (outcome.status !== 'replayed') return json(409, refusal(replay[1], outcome));
    return json(202, { replayed: outcome.entry.id, seq: outcome.seq });
  }
  return false;
}

/**
 * The body of an action that needs the operator's reason (resolve, discard, purge), with the reason; or `true` when
 * it was answered already: 413 past the size limit, 400 with no reason or one too long.
 */
async function readReason(
  req: IncomingMessage,
  res: ServerResponse,
): Promise<{ body: Record<string, unknown>; reason: string } | true> {
  const body = await readJson(req);
  if (body === 'too-large') return tooLarge(res);
  const refused = (message: string): true => {
    sendJson(res, 400, { error: 'bad-request', message }, SECURITY_HEADERS);
    return true;
  };
  if (!body || typeof body.reason !== 'string' || !body.reason.trim()) return refused('give a reason: {"reason": "…"}');
  const tooLong = reasonTooLong(body.reason);
  if (tooLong) return refused(tooLong);
  return { body, reason: body.reason };
}

/**
 * A small JSON object body; undefined when it is missing or not an object, `too-large` past the limit (the rest is
 * discarded unread and the connection closed after the answer, so a keep-alive client's next request is not read
 * as this body's remainder).
 */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined | 'too-large'> {
  const chunks: Buffer[] = [];
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return discard(req, 'too-large' as const).refused;
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return discard(req, 'too-large' as const).refused;
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** 413 for a body past the limit; the connection closes after it (the body's rest is not read). */
function tooLarge(res: ServerResponse): true {
  const message = `the request body is larger than ${MAX_BODY_BYTES} bytes: send {"reason": "…"} with a reason of at most ${MAX_REASON_CHARS} characters`;
  sendJson(res, 413, { error: 'body-too-large', message }, { ...SECURITY_HEADERS, connection: 'close' });
  return true;
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

/**
 * Runs an action; when it throws (the broker refused or did not answer a publish or a KV write), answers 503 with
 * why and what to do, instead of a bare 500 (so a bulk replay goes on with the next entry and reports this one).
 */
async function unlessFailed<T>(
  res: ServerResponse,
  verb: 'replay' | 'resolve' | 'discard' | 'purge',
  id: string | undefined,
  run: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await run();
  } catch (error) {
    const why = (error as Error).message;
    const message =
      verb === 'purge'
        ? `the purge stopped: ${why}; entries discarded before it stopped are gone: run it again for the rest`
        : verb === 'replay'
          ? `dead letter ${id} was not replayed: ${why}; it stays open: replay it again once that is fixed`
          : `dead letter ${id} was not ${verb === 'resolve' ? 'resolved' : 'discarded'}: ${why}; try again`;
    sendJson(res, 503, { error: `${verb}-failed`, message }, SECURITY_HEADERS);
    return undefined;
  }
}

/** Why an action on a dead letter was not done, and what to do instead. */
function refusal(id: string, outcome: { status: string; at?: string; entry?: { integration: string } }) {
  const why =
    outcome.status === 'integration-missing'
      ? `is of integration ${outcome.entry?.integration}, which is not in the active spec set: a replay would wait ` +
        'unprocessed in the events stream until it is back; restore the integration first, or resolve or discard ' +
        'the entry'
      : outcome.status === 'replay-started'
        ? `is being replayed: a replay started at ${outcome.at} and may have sent the event; replay it again to ` +
          'finish that replay (the broker keeps one copy), or discard it'
        : outcome.status === 'changed-meanwhile'
          ? `changed while this request ran (replayed, resolved or rewritten by someone else): look at it again ` +
            `(GET /api/dlq/${id})`
          : outcome.status.replace('already-', 'was already ');
  return { error: outcome.status, message: `dead letter ${id} ${why}` };
}

function notFound(id: string) {
  return { error: 'not-found', message: `no dead letter ${id}` };
}
