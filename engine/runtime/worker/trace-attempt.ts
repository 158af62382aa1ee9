/** The trace record of one finished attempt (engine/runtime/stores/trace-log.ts), built from what the worker has. */
import type { ExecutionFailure, ExecutionResult } from '../../execute/execution-types.js';
import type { FieldRedaction } from '../../http/redact.js';
import type { TraceLog, TraceRecord } from '../stores/trace-log.js';
import type { EventDelivery } from './event-delivery.js';
import { isoTime } from './iso-time.js';

interface TracedAttempt {
  integration: string;
  /** `<integration>:<event id>` as the worker names it. */
  eventId: string;
  attempt: number;
  commit: string;
  replayOf?: string;
  result: ExecutionResult;
  /** The integration's `redact` paths: masked before the record is written (the trace is read over NATS too). */
  redaction?: FieldRedaction;
}

export function traceAttempt(
  trace: TraceLog | undefined,
  d: EventDelivery,
  a: TracedAttempt,
  outcome: TraceRecord['outcome'],
  extra: { failure?: ExecutionFailure; dlqId?: string; nextInMs?: number } = {},
): void {
  if (!trace) return;
  const failure = extra.failure;
  const doc = <T>(value: T) => a.redaction?.document(value) ?? value;
  const text = (value: string) => a.redaction?.text(value) ?? value;
  trace.record({
    integration: a.integration,
    key: d.key,
    eventId: a.eventId.slice(a.integration.length + 1),
    attempt: a.attempt,
    outcome,
    commit: a.commit,
    storedAt: isoTime(d.storedAtMs),
    at: isoTime(),
    requests: a.result.requests.map(({ step, index, method, path, body }) => ({
      step,
      ...(index === undefined ? {} : { index }),
      method,
      path: text(path),
      ...(body === undefined ? {} : { body: doc(body) }),
    })),
    ...(Object.keys(a.result.steps).length > 0 ? { results: doc(a.result.steps) } : {}),
    ...(failure
      ? {
          error: {
            code: failure.code,
            message: text(failure.message),
            ...(failure.status === undefined ? {} : { status: failure.status }),
            ...(failure.step === undefined ? {} : { step: failure.step }),
            ...(failure.responseExcerpt === undefined ? {} : { response: text(failure.responseExcerpt) }),
          },
        }
      : {}),
    ...(a.replayOf ? { replayOf: a.replayOf } : {}),
    ...(extra.dlqId ? { dlqId: extra.dlqId } : {}),
    ...(extra.nextInMs === undefined ? {} : { nextInMs: extra.nextInMs }),
    ...(a.result.superseded ? { superseded: a.result.superseded } : {}),
  });
}
