/**
 * The operator API's routes for events being retried with backoff (retrying-keys.ts):
 *   GET  /api/retrying[?integration=]  the retrying keys, each with its last attempt        (viewer)
 *   POST /api/retrying/give-up     {integration, key, reason, eventId?}: dead-letter it now (operator)
 *   POST /api/retrying/retry-now   {integration, key, reason?, eventId?}: skip its backoff  (operator)
 * `eventId` is the event the caller saw as the one retried: when another one is by now, the order is refused.
 */
import { INTEGRATION_NAME } from '../stores/dead-letter-id.js';
import { reasonTooLong } from './action-reason.js';
import type { Principal } from './principal.js';
import { orderedMessage, retryRefusalMessage } from './retrying-keys.js';
import type { RetryingKeys, RetryingTarget } from './retrying-keys.js';

type Answer = [number, unknown];

export async function retryingRoute(
  retrying: RetryingKeys,
  who: Principal,
  method: string,
  url: URL,
  body: () => Promise<Record<string, unknown> | undefined | 'too-large'>,
  audit: { denied: (action: string, target: string) => Promise<void> },
): Promise<Answer | 'too-large' | undefined> {
  const path = url.pathname;
  if (method === 'GET' && path === '/api/retrying') {
    const integration = url.searchParams.get('integration') ?? undefined;
    if (integration !== undefined && !INTEGRATION_NAME.test(integration))
      return [400, { error: 'bad-query', message: `integration must match ${INTEGRATION_NAME.source}` }];
    return [200, await retrying.list(integration)];
  }
  const verb = /^\/api\/retrying\/(give-up|retry-now)$/.exec(path)?.[1];
  if (method !== 'POST' || !verb) return undefined;
  const action = verb === 'give-up' ? 'retry.give-up' : 'retry.now';
  const read = await body();
  if (read === 'too-large') return 'too-large';
  const parsed = targetOf(read, verb === 'give-up');
  if (who.role !== 'operator') {
    await audit.denied(action, 'target' in parsed ? `${parsed.target.integration} key ${parsed.target.key}` : path);
    return [403, { error: 'forbidden', message: `your role cannot ${verb}; it needs the operator role` }];
  }
  if ('refused' in parsed) return [400, { error: 'bad-request', message: parsed.refused }];
  const { target, reason } = parsed;
  if (verb === 'retry-now') {
    const outcome = await retrying.retryNow(who.actor, target, reason);
    if (outcome.status !== 'retrying-now')
      return [409, { error: outcome.status, message: retryRefusalMessage(target, outcome, 'retry') }];
    return [
      202,
      {
        retrying: outcome.eventId,
        attempt: outcome.attempt,
        message: `attempt ${outcome.attempt} of event ${outcome.eventId} starts now (see \`junction trace ${target.integration} ${target.key}\`)`,
      },
    ];
  }
  const outcome = await retrying.giveUp(who.actor, target, reason!);
  switch (outcome.status) {
    case 'given-up':
      return [
        200,
        {
          gaveUp: outcome.eventId,
          dlqId: outcome.dlqId,
          queued: outcome.queued,
          message:
            `event ${outcome.eventId} dead-lettered as ${outcome.dlqId} (reason operator-gave-up); ` +
            `${outcome.queued} later event${outcome.queued === 1 ? '' : 's'} of the key now run in order`,
        },
      ];
    case 'ordered':
      return [
        202,
        {
          ordered: outcome.eventId,
          message: orderedMessage(target.integration, outcome),
        },
      ];
    case 'finished-meanwhile':
      return [
        409,
        {
          error: 'finished-meanwhile',
          outcome: outcome.outcome,
          message: `event ${outcome.eventId} finished (${outcome.outcome}) by the attempt under way before it could be given up`,
        },
      ];
    default: {
      // Given up by another operator first: the dead letter it made, as the winner's answer gives it.
      const dlqId = outcome.status === 'giving-up' ? outcome.dlqId : undefined;
      const message = retryRefusalMessage(target, outcome, 'give up');
      return [409, { error: outcome.status, ...(dlqId ? { dlqId } : {}), message }];
    }
  }
}

function targetOf(
  body: Record<string, unknown> | undefined,
  needsReason: boolean,
): { target: RetryingTarget; reason?: string } | { refused: string } {
  const shape = `{"integration": "…", "key": "…", ${needsReason ? '"reason": "…"' : '"reason"?: "…"'}, "eventId"?: "…"}`;
  if (!body) return { refused: `send ${shape}` };
  const { integration, key, reason, eventId } = body;
  if (typeof integration !== 'string' || !INTEGRATION_NAME.test(integration))
    return { refused: `integration must be an integration name (${INTEGRATION_NAME.source}): send ${shape}` };
  if (typeof key !== 'string' || key.trim() === '' || key.length > 500)
    return { refused: `key must be the record key (1 to 500 characters): send ${shape}` };
  if (eventId !== undefined && (typeof eventId !== 'string' || eventId === ''))
    return { refused: 'eventId, when given, must be the id of the event being retried' };
  if (needsReason && (typeof reason !== 'string' || !reason.trim())) return { refused: `give a reason: send ${shape}` };
  if (reason !== undefined && typeof reason !== 'string') return { refused: 'reason must be text' };
  const tooLong = reason === undefined ? undefined : reasonTooLong(reason);
  if (tooLong) return { refused: tooLong };
  return {
    target: { integration, key, ...(eventId === undefined ? {} : { eventId }) },
    ...(reason ? { reason } : {}),
  };
}
