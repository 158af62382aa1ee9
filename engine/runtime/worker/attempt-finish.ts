/**
 * Carries out an attempt's fate (error-fate.ts) with the stores and the broker: the ledger entry, the DLQ entry, the
 * waiting entry, the pinned commit, metrics, the trace, and exactly one broker action. A retry parks the key when the
 * event came from its partition (key-parking.ts), or naks its ticket when it was parked already.
 */
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import type { ExecutionResult } from '../../execute/execution-types.js';
import type { LedgerEntry } from '../stores/delivery-ledger.js';
import type { WaitingEntry } from '../stores/waiting-store.js';
import { recordWait } from './dependency-wait.js';
import { decideFate } from './error-fate.js';
import type { Fate, ThrottledSoFar } from './error-fate.js';
import type { EventDelivery } from './event-delivery.js';
import { deliveryText } from './event-delivery.js';
import type { EventLog } from './event-log.js';
import { pinCommit, recordThrottled } from './execution-state.js';
import type { InFlight, WorkerContext } from './event-worker.js';
import type { ParkTicket } from './key-parking.js';
import { parkingGen } from './key-parking.js';
import { isoTime } from './iso-time.js';
import { traceAttempt } from './trace-attempt.js';
import { FieldRedaction, jsonForms, redactSecretValues, secretFieldValues } from '../../http/redact.js';
import { markStage } from '../../execute/stage-marks.js';
import { checkpointed, repeatsEffect } from '../../execute/call-step.js';

/** How the event reached this attempt: from its partition (`kd`: its key's digest), or by its parking's ticket. */
export type Route = { kd: string; ticket?: undefined } | { ticket: ParkTicket; kd?: undefined };

export interface Attempt {
  d: EventDelivery;
  route: Route;
  integration: CompiledIntegration;
  commit: string;
  /** keyDigest(d.eventId): keys the ledger entry, the checkpoints, the pinned commit and the waiting entry. */
  digest: string;
  event: unknown;
  result: ExecutionResult;
  done?: { entry: LedgerEntry; revision: number };
  log: EventLog;
  /** The event's waiting entry when its attempt started (it waited for a required cross-reference before). */
  waited?: WaitingEntry;
  /** How often its target throttled it before this attempt, and since when. */
  throttled?: ThrottledSoFar;
}

export async function finishAttempt(flight: InFlight, ctx: WorkerContext, a: Attempt, given?: Fate): Promise<void> {
  const { d, result } = a;
  const name = d.integration;
  const fate =
    given ??
    decideFate({
      kind: 'attempt',
      result,
      attempt: d.attempt,
      waited: a.waited,
      throttled: a.throttled,
      retry: a.integration.retry,
      maxDelayMs: ctx.tuning.maxRetryDelayMs,
    })!;
  if (a.waited && fate.kind !== 'retry' && fate.kind !== 'wait') await ctx.waiting.clear(name, a.digest);
  if (fate.kind === 'retry' && fate.throttled)
    await recordThrottled(ctx.buckets.checkpoints, name, a.digest, fate.throttled);
  else if (a.throttled && fate.kind !== 'retry' && fate.kind !== 'wait')
    await recordThrottled(ctx.buckets.checkpoints, name, a.digest, undefined);
  if (fate.kind === 'retry' || fate.kind === 'wait') {
    const failure = result.failure!;
    if (d.attempt === 1 && !d.replayOf) await pinCommit(ctx.buckets.checkpoints, name, a.digest, a.commit);
    if (fate.kind === 'wait' && failure.dependency) {
      await recordWait(ctx, d, a.digest, { ...failure, dependency: failure.dependency }, fate.waits, a.waited, a.log);
      a.log.info(
        { map: failure.dependency.map, id: failure.dependency.key, waits: fate.waits },
        logText(ctx, a, failure.message),
      );
    } else
      a.log.warn(
        { code: failure.code, status: failure.status, step: failure.step, delayMs: fate.delayMs },
        `attempt failed, retrying: ${logText(ctx, a, failure.message)}`,
      );
    ctx.metrics.retried.inc({ integration: name, code: failure.code });
    const outcome = fate.kind === 'wait' ? 'waiting' : 'retrying';
    traceAttempt(ctx.trace, d, traced(a), outcome, { failure, nextInMs: fate.delayMs });
    return later(flight, ctx, a, fate.delayMs);
  }
  if (fate.kind === 'dead_letter') {
    const failure = fate.failure;
    const id = ctx.deadLetters.idFor(a.digest, d.replayOf);
    await ctx.deadLetters.write(
      {
        id,
        integration: name,
        eventId: d.eventId.slice(name.length + 1),
        key: d.key,
        subject: d.subject,
        event: a.event,
        commit: a.commit,
        step: failure.step,
        index: failure.index,
        request: failure.request,
        responseExcerpt: failure.responseExcerpt,
        error: { code: failure.code, message: failure.message, status: failure.status, vendorCode: failure.vendorCode },
        reason: fate.reason,
        ...(fate.gaveUp ? { gaveUp: fate.gaveUp } : {}),
        attempts: d.attempt,
        ...finishedSteps(a),
        createdAt: new Date().toISOString(),
        status: 'open',
      },
      deliveryText(d),
    );
    await ctx.ledger.record(name, d.eventId, ledgerEntry(a, 'dead_lettered', id), a.done?.revision, a.digest);
    a.log.error(
      { code: failure.code, status: failure.status, step: failure.step, dlqId: id, reason: fate.reason },
      `dead-lettered: ${logText(ctx, a, failure.message)}`,
    );
    ctx.metrics.deadLettered.inc({ integration: name, code: failure.code });
    observeLatency(ctx, d, 'dead_lettered');
    traceAttempt(ctx.trace, d, traced(a), 'dead_lettered', { failure, dlqId: id });
    return finished(flight, ctx, a.route);
  }
  if (fate.kind === 'term') return settle(flight, 'term');
  const recorded = await ctx.ledger.record(name, d.eventId, ledgerEntry(a, fate.status), a.done?.revision, a.digest);
  if (!recorded && fate.status === 'delivered') await deliveredAfterGiveUp(ctx, a);
  a.log.info({ outcome: fate.status, requests: result.requests.length, commit: a.commit }, fate.status);
  ctx.metrics.perEvent.finished(name, fate.status);
  observeLatency(ctx, d, fate.status);
  traceAttempt(ctx.trace, d, traced(a), fate.status);
  return finished(flight, ctx, a.route);
}

/** Why a dead letter given up on was resolved by the attempt that delivered it after all. */
const DELIVERED_AFTER_GIVE_UP =
  'delivered after all by the attempt that was under way when it was given up (its engine stopped answering past ' +
  'its attempt mark): the target has it; a replay would send it again';

/**
 * The event was delivered, but another engine finished it first: an operator's give-up that went ahead once this
 * engine's attempt mark ran out (the engine frozen past it, attempt-marks.ts). Its dead letter would say the event
 * never reached the target, and a replay would send it twice: it is resolved with why, and the log says so.
 */
async function deliveredAfterGiveUp(ctx: WorkerContext, a: Attempt): Promise<void> {
  const { d } = a;
  const dlqId = (await ctx.ledger.get(d.integration, d.eventId, a.digest))?.entry.dlqId;
  const letter = dlqId ? await ctx.deadLetters.get(dlqId, d.integration) : undefined;
  if (!letter || letter.entry.reason !== 'operator-gave-up' || letter.entry.status !== 'open') return;
  const resolved = await ctx.deadLetters.markResolved(
    letter.entry,
    letter.revision,
    `engine:${ctx.leases.holder}`,
    DELIVERED_AFTER_GIVE_UP,
  );
  a.log.error(
    { dlqId, resolved },
    'delivered after an operator gave up on it (this engine stopped answering past its attempt mark): the dead ' +
      `letter ${resolved ? 'is resolved, so it is not replayed' : 'changed meanwhile: do not replay it'}; the key's ` +
      'later events may have landed before it',
  );
}

/**
 * Try again after `delayMs`. From the partition, the key is parked and the event acked, so the partition goes on;
 * if the key got parked by another process meanwhile, nak keeps the order instead. A parked event naks its ticket.
 */
async function later(flight: InFlight, ctx: WorkerContext, a: Attempt, delayMs: number): Promise<void> {
  if (
    a.route.kd !== undefined &&
    (await ctx.parking.park(a.d, a.route.kd, parkingGen(a.d, a.digest), flight.msg.seq, delayMs))
  )
    return settle(flight, 'ack');
  return settle(flight, 'nak', delayMs);
}

/** The event is finished: a parked one hands its key on to the next queued event (or unparks it), then acks. */
export async function finished(flight: InFlight, ctx: WorkerContext, route: Route): Promise<void> {
  if (route.ticket) await ctx.parking.release(route.ticket);
  return settle(flight, 'ack');
}

/**
 * The one broker action for a message: never twice (`settled`), and harmless on a closed connection. A nak waits while
 * a pull of its consumer is being stopped, until the broker dropped that pull's requests (stop-pull.ts).
 */
export function settle(flight: InFlight, action: 'ack' | 'nak' | 'term', delayMs?: number): void {
  if (flight.settled) return;
  flight.settled = true;
  flight.settledAs = { action, delayMs };
  markStage('settled', undefined, flight.msg.seq, flight.msg.subject);
  const stopping = action === 'nak' ? flight.nakAfter?.() : undefined;
  if (stopping) void stopping.then(() => tellBroker(flight, action, delayMs));
  else tellBroker(flight, action, delayMs);
}

function tellBroker(flight: InFlight, action: 'ack' | 'nak' | 'term', delayMs?: number): void {
  try {
    if (action === 'ack') flight.msg.ack();
    else if (action === 'nak') flight.msg.nak(delayMs);
    else flight.msg.term();
  } catch {
    // The connection is gone: the broker redelivers after the ack wait, and the ledger makes that harmless.
  }
}

function traced(a: Attempt) {
  return {
    integration: a.d.integration,
    eventId: a.d.eventId,
    attempt: a.d.attempt,
    commit: a.commit,
    replayOf: a.d.replayOf,
    result: a.result,
    redaction: redaction(a),
  };
}

/** Masks nothing: an integration without `redact` paths. */
const NO_REDACTION = new FieldRedaction([], []);

/** The integration's `redact` paths over this event's data (log lines and the trace mask their values). */
function redaction(a: Attempt): FieldRedaction {
  if (a.integration.redact.length === 0) return NO_REDACTION;
  return new FieldRedaction(a.integration.redact, [
    a.event,
    ...a.result.requests.map((r) => r.body),
    a.result.steps,
    a.result.failure?.request?.body,
  ]);
}

/**
 * An error message for a log line: the `redact` paths' values, the engine's secret values and the values of the
 * data's secret-looking fields masked (a target may quote the password it refused). Failure paths only.
 */
function logText(ctx: WorkerContext, a: Attempt, message: string): string {
  const data = [a.event, ...a.result.requests.map((r) => r.body), a.result.failure?.request?.body];
  const quoted = redactSecretValues(message, jsonForms(secretFieldValues(data)));
  return redactSecretValues(redaction(a).text(quoted), ctx.secrets?.values() ?? []);
}

/**
 * The steps a replay must resume after (their checkpoints), because running them again repeats their effect. Not the
 * steps a `restart_from` may run again by design (from the step it names to its own), whose checkpoints it forgets.
 */
function finishedSteps(a: Attempt): { finished?: string[] } {
  const all = a.integration.steps;
  const restartable = new Set<string>();
  all.forEach((t, to) => {
    const from = t.restartFrom === undefined ? -1 : all.findIndex((s) => s.id === t.restartFrom);
    for (let i = Math.max(from, 0); from >= 0 && i <= to; i++) restartable.add(all[i].id);
  });
  const steps = all.filter(
    (s) => s.id in a.result.steps && repeatsEffect(s) && checkpointed(a.integration, s) && !restartable.has(s.id),
  );
  return steps.length > 0 ? { finished: steps.map((s) => s.id) } : {};
}

function ledgerEntry(a: Attempt, status: LedgerEntry['status'], dlqId?: string): LedgerEntry {
  return {
    status,
    commit: a.commit,
    attempts: a.d.attempt,
    at: isoTime(),
    requests: a.result.requests.length,
    ...(dlqId ? { dlqId } : {}),
  };
}

function observeLatency(ctx: WorkerContext, d: EventDelivery, outcome: string): void {
  const latencyMs = Math.max(0, Date.now() - d.storedAtMs);
  ctx.metrics.latency.observe({ integration: d.integration }, latencyMs / 1000);
  // The dashboard's live figures are of deliveries only: skips finish at once and dead letters after their retries.
  if (outcome === 'delivered') ctx.metrics.recent.record(d.integration, latencyMs);
}
