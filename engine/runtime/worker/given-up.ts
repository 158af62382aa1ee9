/**
 * The failure a dead letter given up by an operator carries (reason `operator-gave-up`): the error of the event's
 * last traced attempt, what the operator needs to fix before a replay, or, when the trace has none (it expired, or
 * the event waited without an attempt), one that says so.
 */
import type { ExecutionFailure } from '../../execute/execution-types.js';
import type { TraceLog, TraceRecord } from '../stores/trace-log.js';
import type { EventDelivery } from './event-delivery.js';
import type { ParkOrder } from './key-parking.js';

/** The code of a given-up event's failure when no attempt of it is traced. */
const OPERATOR_GAVE_UP = 'operator-gave-up';

/** The error of the event's last traced attempt, if the trace has one (a trace that cannot be read: none). */
export async function lastFailure(
  trace: TraceLog | undefined,
  d: Pick<EventDelivery, 'integration' | 'eventId' | 'key' | 'replayOf'>,
): Promise<TraceRecord['error'] | undefined> {
  const id = d.eventId.slice(d.integration.length + 1);
  const records = (await trace?.read(d.integration, d.key).catch(() => undefined)) ?? [];
  return records.filter((r) => r.eventId === id && r.replayOf === d.replayOf && r.error).at(-1)?.error;
}

export function givenUpFailure(order: ParkOrder, last: TraceRecord['error'] | undefined): ExecutionFailure {
  if (!last)
    return {
      code: OPERATOR_GAVE_UP,
      message: `given up by ${order.by} at ${order.at}${order.reason ? `: ${order.reason}` : ''} (no failed attempt of it is in the trace)`,
      action: 'dead_letter',
    };
  return {
    code: last.code,
    message: last.message,
    action: 'dead_letter',
    ...(last.status === undefined ? {} : { status: last.status }),
    ...(last.step === undefined ? {} : { step: last.step }),
    ...(last.response === undefined ? {} : { responseExcerpt: last.response }),
  };
}
