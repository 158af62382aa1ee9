/**
 * The filter of a purge (`POST /api/dlq/purge`, `junction dlq purge`): which dead letters are deleted for good. A
 * filter that cannot be read is refused, never dropped: a misspelt or mistyped `integration` read as "every
 * integration", or a `before` in the future (a year typed 2072 for 2027) read as "every entry", deletes customer data
 * the operator meant to keep.
 */
import { INTEGRATION_NAME } from '../stores/dead-letter-id.js';
import { DEAD_LETTER_STATUSES } from '../stores/dead-letter-statuses.js';
import type { DeadLetterStatus } from '../stores/dead-letter-statuses.js';

interface PurgeFilter {
  integration?: string;
  before?: Date;
  /** Only entries in this status (`replayed`, `resolved`: the handled ones; `open` ones are still replayable). */
  status?: DeadLetterStatus;
}

/** How far ahead of this clock a `before` may be (the CLI's clock computing `--before 0s` may run ahead a little). */
const CLOCK_SLACK_MS = 60_000;
const FIELDS = new Set(['reason', 'integration', 'before', 'status']);

/** Why `before` (named `what` in the message) cannot be a purge's bound, or undefined when it can. */
export function futureBefore(before: Date, what: string, now = Date.now()): string | undefined {
  return before.getTime() > now + CLOCK_SLACK_MS
    ? `${what} is in the future: every dead letter was created before it; give a past time`
    : undefined;
}

/** The filter of a purge request's JSON body (its reason is checked by the caller), or why it is refused. */
export function purgeFilterOf(body: Record<string, unknown>): PurgeFilter | { refused: string } {
  const unknown = Object.keys(body).find((k) => !FIELDS.has(k));
  if (unknown !== undefined)
    return {
      refused: `unknown field ${JSON.stringify(unknown)} in the purge body: give "reason" and "integration" and/or "before"`,
    };
  const { integration, before, status } = body;
  if (status !== undefined && !DEAD_LETTER_STATUSES.includes(status as DeadLetterStatus))
    return { refused: `"status" must be one of ${DEAD_LETTER_STATUSES.join(', ')}, got ${JSON.stringify(status)}` };
  if (integration !== undefined && (typeof integration !== 'string' || !INTEGRATION_NAME.test(integration)))
    return { refused: `"integration" must be an integration name, got ${JSON.stringify(integration)}` };
  const at = typeof before === 'string' ? new Date(before) : undefined;
  if (before !== undefined && (at === undefined || Number.isNaN(at.getTime())))
    return { refused: `"before" must be an ISO time, got ${JSON.stringify(before)}` };
  if (integration === undefined && at === undefined)
    return { refused: 'give an integration name and/or an ISO time "before"' };
  const future = at && futureBefore(at, `"before" (${at.toISOString()})`);
  if (future) return { refused: future };
  return {
    ...(integration === undefined ? {} : { integration }),
    ...(at ? { before: at } : {}),
    ...(status === undefined ? {} : { status: status as DeadLetterStatus }),
  };
}
