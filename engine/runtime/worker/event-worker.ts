/**
 * Processes one delivered event: ledger check, spec version, the shared executor, then exactly one broker action
 * chosen by `decideDelivery` (ack after the ledger entry, nak with a delay, or ack after the DLQ entry).
 */
import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { executeEvent } from '../../execute/execute-event.js';
import type { ExecutionResult, ExecutionState } from '../../execute/execution-types.js';
import { retryableError } from '../../sdk/errors.js';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import type { DeadLetterStore } from '../stores/dead-letter-store.js';
import { STATE_UNAVAILABLE, decideDelivery, deliveryLimitReached } from './delivery-decision.js';
import type { DeliveryLedger, LedgerEntry } from '../stores/delivery-ledger.js';
import { eventExecutionState, pinCommit, pinnedCommit } from './execution-state.js';
import type { RuntimeBuckets } from '../broker/provision.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import type { RuntimeTuning } from '../runtime-options.js';
import type { SpecRegistry } from '../spec-registry.js';
import { EventLog } from './event-log.js';
import { HEADER, keyDigest, parseEventSubject } from '../broker/subjects.js';
import type { XrefReplica } from '../stores/xref-replica.js';
import type { WaitingEntry, WaitingStore } from '../stores/waiting-store.js';
import { DEPENDENCY_MISSING } from '../../execute/require-xrefs.js';
import { decideDependencyWait } from './dependency-wait.js';
import type { TraceLog } from '../stores/trace-log.js';
import { traceAttempt } from './trace-attempt.js';

export interface WorkerContext {
  specs: SpecRegistry;
  buckets: RuntimeBuckets;
  ledger: DeliveryLedger;
  deadLetters: DeadLetterStore;
  xref: XrefReplica;
  tuning: RuntimeTuning;
  metrics: RuntimeMetrics;
  log: Logger;
  /** Events waiting for a required cross-reference. */
  waiting: WaitingStore;
  /** Asks the integration that writes `map` to fetch record `key` from its source; resolves with its name. */
  fetchDependency?: (map: string, key: string) => Promise<string | undefined>;
  /** Where every finished attempt is traced (`junction trace`). */
  trace?: TraceLog;
}

/**
 * One in-flight message; `settled` is set once it is acked or nakked (or given up by a drain), so it is never settled
 * twice.
 */
export interface InFlight {
  msg: JsMsg;
  settled: boolean;
}

/**
 * Processes one event to exactly one broker action. While it runs, the consumer pool sends `working()` for it every
 * ack-wait/3 (consumer-pool.ts), so a slow call does not cause a redelivery.
 */
export async function processEvent(flight: InFlight, ctx: WorkerContext): Promise<void> {
  const { msg } = flight;
  const where = parseEventSubject(msg.subject);
  if (!where) return settle(flight, 'term');
  const name = where.integration;
  const eventId = `${name}:${msg.headers?.get(HEADER.eventId) || `seq-${msg.seq}`}`;
  const replayOf = msg.headers?.get(HEADER.replayOf) || undefined;
  const attempt = msg.info.deliveryCount;
  // One digest per event: it keys the ledger entry, the checkpoints and the pinned commit.
  const digest = keyDigest(eventId);
  const log = new EventLog(ctx.log, { integration: name, eventId, attempt, ...(replayOf ? { replayOf } : {}) });

  const done = await ctx.ledger.get(name, eventId, digest);
  if (done && !(replayOf && done.entry.status === 'dead_lettered')) {
    log.info({ status: done.entry.status }, 'already finished: acked without delivery');
    ctx.metrics.duplicates.inc({ integration: name });
    return settle(flight, 'ack');
  }
  // Waits for a required cross-reference do not count against the retry budget.
  const waited = attempt > 1 ? await ctx.waiting.get(name, digest) : undefined;
  // Retries keep the spec version that started them; a replay runs the active set (the fix).
  const pinned =
    attempt > 1 && !replayOf
      ? ctx.specs.byCommit(await pinnedCommit(ctx.buckets.checkpoints, name, digest))
      : undefined;
  const specSet = pinned ?? ctx.specs.active;
  const integration = specSet.integrations.get(name);
  if (!integration) {
    log.warn('integration is not in the active spec set: retrying later');
    return settle(flight, 'nak', 5_000);
  }

  let event: unknown;
  try {
    event = msg.json();
  } catch (error) {
    const result: ExecutionResult = {
      outcome: 'failed',
      requests: [],
      steps: {},
      unchanged: [],
      failure: {
        code: 'malformed-event',
        message: `event is not JSON: ${(error as Error).message}`,
        action: 'dead_letter',
      },
    };
    return finish(flight, ctx, {
      integration,
      commit: specSet.commit,
      eventId,
      digest,
      replayOf,
      attempt,
      event: msg.string(),
      result,
      done,
      log,
    });
  }

  if (deliveryLimitReached(attempt - (waited?.waits ?? 0), integration.retry, ctx.tuning.crashDeliveries)) {
    const message = `delivered ${attempt} times without finishing (worker crashes, lost acks or runtime state unavailable for long); the retry budget is ${integration.retry.maxAttempts} attempt${integration.retry.maxAttempts === 1 ? '' : 's'}`;
    const result: ExecutionResult = {
      outcome: 'failed',
      requests: [],
      steps: {},
      unchanged: [],
      failure: { code: 'delivery-limit', message, action: 'retry' },
    };
    return finish(flight, ctx, {
      integration,
      commit: specSet.commit,
      eventId,
      digest,
      replayOf,
      attempt,
      event,
      result,
      done,
      log,
      waited,
    });
  }
  if (readsXref(integration)) await ctx.xref.sync();
  const state = infraErrorsRetryable(
    eventExecutionState({
      ...ctx.buckets,
      xref: ctx.xref,
      integration: name,
      eventDigest: digest,
      firstAttempt: attempt === 1 && !replayOf,
    }),
  );
  const result = await executeEvent(event, {
    integration,
    lookups: specSet.lookups,
    invoke: ctx.specs.invoker(specSet),
    state,
    eventId,
    guards: ctx.tuning.guards,
  });
  return finish(flight, ctx, {
    integration,
    commit: specSet.commit,
    eventId,
    digest,
    replayOf,
    attempt,
    event,
    result,
    done,
    log,
    waited,
  });
}

interface Attempt {
  integration: CompiledIntegration;
  commit: string;
  eventId: string;
  digest: string;
  replayOf?: string;
  attempt: number;
  event: unknown;
  result: ExecutionResult;
  done?: { entry: LedgerEntry; revision: number };
  log: EventLog;
  /** The event's waiting entry when its attempt started (it waited for a required cross-reference before). */
  waited?: WaitingEntry;
}

async function finish(flight: InFlight, ctx: WorkerContext, a: Attempt): Promise<void> {
  const name = a.integration.name;
  let result = a.result;
  const missing = result.failure?.code === DEPENDENCY_MISSING && result.failure.action === 'retry';
  if (missing && result.failure?.dependency) {
    const wait = await waitForDependency(flight, ctx, a, { ...result.failure, dependency: result.failure.dependency });
    if (!wait) return;
    result = { ...result, failure: wait };
  }
  const budget = a.attempt - (a.waited?.waits ?? 0);
  const decision = decideDelivery(result, budget, a.integration.retry, ctx.tuning.maxRetryDelayMs);
  // The entry keeps the wait count (the budget) until the event finishes.
  if (a.waited && decision.kind !== 'retry') await ctx.waiting.clear(name, a.digest);
  const failure = result.failure;
  if (decision.kind === 'retry') {
    if (a.attempt === 1 && !a.replayOf) await pinCommit(ctx.buckets.checkpoints, name, a.digest, a.commit);
    a.log.warn(
      { code: failure?.code, status: failure?.status, step: failure?.step, delayMs: decision.delayMs },
      `attempt failed, retrying: ${failure?.message}`,
    );
    ctx.metrics.retried.inc({ integration: name, code: failure?.code ?? 'unknown' });
    traceAttempt(ctx.trace, flight.msg, traced(a, result), 'retrying', { failure, nextInMs: decision.delayMs });
    return settle(flight, 'nak', decision.delayMs);
  }
  if (decision.kind === 'dead_letter') {
    const id = ctx.deadLetters.idFor(a.digest, a.replayOf);
    const key = flight.msg.headers?.get(HEADER.key) ?? '';
    await ctx.deadLetters.write(
      {
        id,
        integration: name,
        eventId: a.eventId.slice(name.length + 1),
        key,
        subject: flight.msg.subject,
        event: a.event,
        commit: a.commit,
        step: failure?.step,
        index: failure?.index,
        request: failure?.request,
        responseExcerpt: failure?.responseExcerpt,
        error: {
          code: failure?.code ?? 'unknown',
          message: failure?.message ?? '',
          status: failure?.status,
          vendorCode: failure?.vendorCode,
        },
        reason: failure?.code === 'dependency-deadline' ? 'dependency-deadline' : decision.reason,
        attempts: a.attempt,
        createdAt: new Date().toISOString(),
        status: 'open',
      },
      flight.msg.string(),
    );
    await ctx.ledger.record(name, a.eventId, ledgerEntry(a, 'dead_lettered', id), a.done?.revision, a.digest);
    a.log.error(
      { code: failure?.code, status: failure?.status, step: failure?.step, dlqId: id, reason: decision.reason },
      `dead-lettered: ${failure?.message}`,
    );
    ctx.metrics.deadLettered.inc({ integration: name, code: failure?.code ?? 'unknown' });
    observeLatency(ctx, name, flight.msg, 'dead_lettered');
    traceAttempt(ctx.trace, flight.msg, traced(a, result), 'dead_lettered', { failure, dlqId: id });
    return settle(flight, 'ack');
  }
  await ctx.ledger.record(name, a.eventId, ledgerEntry(a, decision.status), a.done?.revision, a.digest);
  a.log.info({ outcome: decision.status, requests: a.result.requests.length, commit: a.commit }, decision.status);
  ctx.metrics.finished.inc({ integration: name, outcome: decision.status });
  observeLatency(ctx, name, flight.msg, decision.status);
  traceAttempt(ctx.trace, flight.msg, traced(a, result), decision.status);
  return settle(flight, 'ack');
}

function traced(a: Attempt, result: ExecutionResult) {
  return {
    integration: a.integration.name,
    eventId: a.eventId,
    attempt: a.attempt,
    commit: a.commit,
    replayOf: a.replayOf,
    result,
  };
}

/**
 * A missing required cross-reference: records the wait and naks with backoff (asking the map's writer to fetch the
 * record on the first wait), or past the dependency deadline returns the failure to dead-letter the event with.
 */
async function waitForDependency(
  flight: InFlight,
  ctx: WorkerContext,
  a: Attempt,
  failure: Parameters<typeof decideDependencyWait>[1]['failure'],
): Promise<ExecutionResult['failure'] | undefined> {
  const name = a.integration.name;
  const wait = await decideDependencyWait(ctx.waiting, {
    integration: name,
    eventId: a.eventId.slice(name.length + 1),
    key: flight.msg.headers?.get(HEADER.key) ?? '',
    digest: a.digest,
    failure,
    retry: a.integration.retry,
    maxRetryDelayMs: ctx.tuning.maxRetryDelayMs,
    waited: a.waited,
  });
  if (wait.kind === 'give_up') return wait.failure;
  if (a.attempt === 1 && !a.replayOf) await pinCommit(ctx.buckets.checkpoints, name, a.digest, a.commit);
  const { map, key, fetch } = failure.dependency;
  if (wait.first && fetch && ctx.fetchDependency) {
    const by = await ctx.fetchDependency(map, key).catch((error: Error) => {
      a.log.warn({ map, id: key, err: error }, `could not fetch the record for cross-reference ${map} ${key}`);
      return undefined;
    });
    if (by) await ctx.waiting.put(a.digest, { ...wait.entry, fetchedBy: by });
  }
  a.log.info({ map, id: key, waits: wait.entry.waits, delayMs: wait.delayMs }, failure.message);
  traceAttempt(ctx.trace, flight.msg, traced(a, a.result), 'waiting', { failure, nextInMs: wait.delayMs });
  ctx.metrics.retried.inc({ integration: name, code: DEPENDENCY_MISSING });
  settle(flight, 'nak', wait.delayMs);
  return undefined;
}

function ledgerEntry(a: Attempt, status: LedgerEntry['status'], dlqId?: string): LedgerEntry {
  return {
    status,
    commit: a.commit,
    attempts: a.attempt,
    at: new Date().toISOString(),
    requests: a.result.requests.length,
    ...(dlqId ? { dlqId } : {}),
  };
}

function settle(flight: InFlight, action: 'ack' | 'nak' | 'term', delayMs?: number): void {
  if (flight.settled) return;
  flight.settled = true;
  try {
    if (action === 'ack') flight.msg.ack();
    else if (action === 'nak') flight.msg.nak(delayMs);
    else flight.msg.term();
  } catch {
    // The connection is gone: the broker redelivers after the ack wait, and the ledger makes that harmless.
  }
}

function observeLatency(ctx: WorkerContext, integration: string, msg: JsMsg, outcome: string): void {
  const storedMs = Number(msg.info.timestampNanos) / 1e6;
  const latencyMs = Math.max(0, Date.now() - storedMs);
  ctx.metrics.latency.observe({ integration }, latencyMs / 1000);
  // The dashboard's live figures are of deliveries only: skips finish at once and dead letters after their retries.
  if (outcome === 'delivered') ctx.metrics.recent.record(integration, latencyMs);
}

const XREF_USERS = new WeakMap<CompiledIntegration, boolean>();

/** Whether any expression of the integration calls `$xref` (only those wait for the replica to catch up). */
function readsXref(integration: CompiledIntegration): boolean {
  let uses = XREF_USERS.get(integration);
  if (uses === undefined) {
    const sources = [integration.when, ...integration.steps.flatMap((s) => [s.when, s.forEach, s.body])].map(
      (e) => e?.source ?? '',
    );
    const requires = !!integration.requires || integration.steps.some((s) => s.requires);
    uses = requires || sources.some((s) => s.includes('$xref'));
    XREF_USERS.set(integration, uses);
  }
  return uses;
}

/** A KV failure inside the executor is the broker's problem, not the event's: make it retryable, never a DLQ. */
function infraErrorsRetryable(state: ExecutionState): ExecutionState {
  return {
    xref: { get: state.xref.get, set: retryableOnFailure(state.xref.set) },
    lastWritten: { get: retryableOnFailure(state.lastWritten.get), set: retryableOnFailure(state.lastWritten.set) },
    createdBy: state.createdBy && {
      get: retryableOnFailure(state.createdBy.get),
      set: retryableOnFailure(state.createdBy.set),
    },
    checkpoint: state.checkpoint && {
      get: retryableOnFailure(state.checkpoint.get),
      set: retryableOnFailure(state.checkpoint.set),
      clear: retryableOnFailure(state.checkpoint.clear),
    },
  };
}

function retryableOnFailure<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A): Promise<R> => {
    try {
      return await fn(...args);
    } catch (error) {
      throw retryableError(STATE_UNAVAILABLE, `runtime state unavailable: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };
}
