/**
 * Processes one delivered message to exactly one broker action. An event from its partition first checks the ledger
 * and whether its key is parked (both reads at once): a parked key's event queues behind it. A ticket of a parked key
 * (key-parking.ts) runs the key's current event. Either way the attempt is the same: spec version, the shared
 * executor, then the fate (error-fate.ts) carried out by attempt-finish.ts.
 */
import type { EngineSecrets } from '../engine-secrets.js';
import type { JsMsg } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { executeEvent } from '../../execute/execute-event.js';
import { marksSent } from '../../execute/call-step.js';
import { markStage } from '../../execute/stage-marks.js';
import { ResolvedLookupCache } from '../../execute/lookup-resolver.js';
import type { ExecutionResult } from '../../execute/execution-types.js';
import type { CompiledIntegration, CompiledSpecSet } from '../../compiler/compiled-spec.js';
import type { DeadLetterStore } from '../stores/dead-letter-store.js';
import { UNKNOWN_INTEGRATION_DELAY_MS, decideFate } from './error-fate.js';
import type { DeliveryLedger, LedgerRecord } from '../stores/delivery-ledger.js';
import { eventExecutionState, pinnedCommit, throttledSoFar } from './execution-state.js';
import type { RuntimeBuckets } from '../broker/provision.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import type { RuntimeTuning } from '../runtime-options.js';
import type { SpecRegistry } from '../spec-registry.js';
import { EventLog } from './event-log.js';
import { keyDigest, parseEventSubject } from '../broker/subjects.js';
import type { XrefReplica } from '../stores/xref-replica.js';
import type { WaitingStore } from '../stores/waiting-store.js';
import type { TraceLog } from '../stores/trace-log.js';
import { deliveryText, partitionDelivery } from './event-delivery.js';
import type { EventDelivery } from './event-delivery.js';
import { finishAttempt, finished, settle } from './attempt-finish.js';
import type { Attempt, Route } from './attempt-finish.js';
import { parkingGen, parseTicket, startedBy } from './key-parking.js';
import type { ParkOrder, ParkTicket } from './key-parking.js';
import { givenUpFailure, lastFailure } from './given-up.js';
import { hasReversePartner } from './echo-partners.js';
import { eventSource } from './event-source.js';
import type { KeyParking } from './key-parking.js';
import type { RunningAttempt, RunningEvents } from './running-events.js';
import type { CallLeases, LeaseTerms } from './call-leases.js';
import type { AttemptMarks } from './attempt-marks.js';
import type { ParsedHandoff } from './parsed-handoff.js';
import type { KeyChangeDrains } from './key-change-drain.js';

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
  /** Retrying keys parked out of their partition's way. */
  parking: KeyParking;
  /** Asks the integration that writes `map` to fetch record `key` from its source; resolves with its name. */
  fetchDependency?: (map: string, key: string) => Promise<string | undefined>;
  /** Where every finished attempt is traced (`junction trace`). */
  trace?: TraceLog;
  /** The events this process is running an attempt of: a redelivery of one waits for it (running-events.ts). */
  running: RunningEvents;
  /** Leases on the calls that can duplicate, across processes (call-leases.ts). */
  leases: CallLeases;
  /**
   * Marks of the attempts under way of parked keys' events, across engines (attempt-marks.ts): an operator's order
   * waits for the attempt of the round before. Absent (embedding tests): a ticket runs at once, as before.
   */
  attemptMarks?: AttemptMarks;
  /** Webhook events this process's ingest stored, as it parsed them (only when it ingests too). */
  handoff?: ParsedHandoff;
  /** Secret values masked in the worker's log lines (the trace and the DLQ mask them as they store). */
  secrets?: EngineSecrets;
  /** Integrations draining a hot-loaded key change: a record's newer events wait behind its old key's. */
  keyChanges?: KeyChangeDrains;
}

/**
 * One in-flight message; `settled` is set once it is acked or nakked (or given up by a drain), so it is never settled
 * twice. `settledAs` says how (a redelivery that waited for this attempt is settled the same way).
 */
export interface InFlight {
  msg: JsMsg;
  settled: boolean;
  settledAs?: { action: 'ack' | 'nak' | 'term'; delayMs?: number };
  /** What its nak waits for first: a stop under way of a pull of its consumer (stop-pull.ts). */
  nakAfter?: () => Promise<unknown> | undefined;
}

/**
 * Processes one message to exactly one broker action. While it runs, the consumer pool sends `working()` for it every
 * ack-wait/3 (consumer-pool.ts), so a slow call does not cause a redelivery.
 */
export async function processEvent(flight: InFlight, ctx: WorkerContext): Promise<void> {
  const where = parseEventSubject(flight.msg.subject);
  if (!where) return settle(flight, 'term');
  if ('retry' in where) return processTicket(flight, ctx, where.integration);
  const d = partitionDelivery(flight.msg, where.integration);
  markStage('delivered', d.eventId, flight.msg.seq, d.subject, d.storedAtMs);
  const running = ctx.running.of(d.eventId);
  if (running) return joinRunning(flight, ctx, d, running);
  return ctx.running.run(d.eventId, flight, () => fromPartition(flight, ctx, d, where.partition));
}

/** An event from its partition: the ledger and the key's parking first (both reads at once), then the attempt. */
async function fromPartition(flight: InFlight, ctx: WorkerContext, d: EventDelivery, partition: number) {
  const name = d.integration;
  // One digest per event: it keys the ledger entry, the checkpoints and the pinned commit.
  const digest = keyDigest(d.eventId);
  const kd = keyDigest(d.key);
  const [done, parked] = await Promise.all([ctx.ledger.get(name, d.eventId, digest), ctx.parking.marker(name, kd)]);
  markStage('checked', d.eventId);
  // Taken after these reads (the message can come in before ingest's PubAck), and whatever becomes of this delivery.
  const handed = ctx.handoff?.take(flight.msg);
  if (finishedBefore(done, d)) return duplicate(flight, ctx, d, { kd });
  if (parked) {
    // This message parked the key and was not acked (a crash): its ticket may be missing.
    if (startedBy(parked.marker, parkingGen(d, digest), flight.msg.seq)) {
      await ctx.parking.resumeHead(d, kd, parked.marker);
      return settle(flight, 'ack');
    }
    if (await ctx.parking.append(d, kd, parked)) {
      eventLog(ctx, d).info({ key: d.key }, 'queued behind its parked key');
      return settle(flight, 'ack');
    }
  }
  if (ctx.keyChanges?.draining(name)) {
    const event = handed ?? parsedOrUndefined(d);
    if (event !== undefined && (await queuedBehindOlderKey(flight, ctx, d, event, partition))) return;
    return attempt(flight, ctx, d, digest, done, { kd }, event);
  }
  return attempt(flight, ctx, d, digest, done, { kd }, handed);
}

/**
 * An event of an integration draining a key change (key-change-drain.ts): once the partition of the key its record
 * had before the change has passed its old events, it queues behind that key's parked lane, if there is one, so the
 * record's older events are delivered first. True when it was queued (and acked).
 */
async function queuedBehindOlderKey(
  flight: InFlight,
  ctx: WorkerContext,
  d: EventDelivery,
  event: unknown,
  partition: number,
): Promise<boolean> {
  for (const older of await ctx.keyChanges!.olderKeys(d, event, partition)) {
    const parked = await ctx.parking.marker(d.integration, older);
    if (parked && (await ctx.parking.append(d, older, parked))) {
      eventLog(ctx, d).info({ key: d.key }, 'queued behind the parked key its record had before the key change');
      settle(flight, 'ack');
      return true;
    }
  }
  return false;
}

function parsedOrUndefined(d: EventDelivery): unknown {
  try {
    return JSON.parse(deliveryText(d));
  } catch {
    return undefined;
  }
}

/** A parked key's ticket: runs the key's current event (after the backoff of the failure that parked it). */
async function processTicket(flight: InFlight, ctx: WorkerContext, integration: string): Promise<void> {
  const ticket = parseTicket(flight.msg.headers, integration);
  if (!ticket) return settle(flight, 'term');
  const marker = await ctx.parking.currentMarker(ticket);
  if (!marker) return settle(flight, 'ack');
  const deliveries = flight.msg.info.deliveryCount;
  if (ticket.delayMs !== undefined && deliveries === 1) return settle(flight, 'nak', ticket.delayMs);
  const d = await ctx.parking.event(ticket, ticket.attempts + deliveries - (ticket.delayMs === undefined ? 0 : 1));
  if (!d) {
    // Also after a crash inside its release, which removes the finished event before it moves the marker on.
    ctx.log.error(
      { integration, ticket },
      'parked event is missing from junction_parked (finished, its release cut short, or lost): its key moves on',
    );
    return finished(flight, ctx, { ticket });
  }
  const running = ctx.running.of(d.eventId);
  if (running) return joinRunning(flight, ctx, d, running);
  return ctx.running.run(d.eventId, flight, async () => {
    const release = await ctx.attemptMarks?.take(
      integration,
      ticket.kd,
      () => flight.settled,
      ({ holder, forMs }) =>
        eventLog(ctx, d).info(
          { engine: holder, atMostMs: forMs },
          'an attempt of this event is under way in another engine: waiting for it to end',
        ),
    );
    if (ctx.attemptMarks && !release) return; // handed back by a drain while it waited
    // Awaited inside the try: the mark is released once the attempt ended, not when it started.
    try {
      // An operator's order may have ended this ticket's round while it waited, or before its mark was written.
      const current = release ? await ctx.parking.currentMarker(ticket) : marker;
      if (!current) return settle(flight, 'ack');
      const digest = keyDigest(d.eventId);
      const done = await ctx.ledger.get(integration, d.eventId, digest);
      if (finishedBefore(done, d)) return await duplicate(flight, ctx, d, { ticket });
      if (current.order?.kind === 'give-up')
        return await giveUp(flight, ctx, { ...d, attempt: ticket.attempts }, digest, done, ticket, current.order);
      return await attempt(flight, ctx, d, digest, done, { ticket });
    } finally {
      await release?.();
    }
  });
}

/**
 * An operator gave up on the parked key's current event (operator/retrying-keys.ts): dead-lettered now, with reason
 * `operator-gave-up`, the error of its last traced attempt and who gave up when and why, without another attempt;
 * the key's later events then run in order, as after any dead letter. `d.attempt`: the attempts it made.
 */
async function giveUp(
  flight: InFlight,
  ctx: WorkerContext,
  d: EventDelivery,
  digest: string,
  done: LedgerRecord | undefined,
  ticket: ParkTicket,
  order: ParkOrder,
): Promise<void> {
  const name = d.integration;
  const pinned = d.replayOf ? undefined : ctx.specs.byCommit(await pinnedCommit(ctx.buckets.checkpoints, name, digest));
  const specSet = pinned ?? ctx.specs.active;
  const integration = specSet.integrations.get(name);
  if (!integration) {
    eventLog(ctx, d).warn('integration is not in the active spec set: giving up later');
    return settle(flight, 'nak', UNKNOWN_INTEGRATION_DELAY_MS);
  }
  const text = deliveryText(d);
  let event: unknown = text;
  try {
    event = JSON.parse(text);
  } catch {
    // Stored as it came: the dead letter keeps the text.
  }
  const failure = givenUpFailure(order, await lastFailure(ctx.trace, d));
  // Its waiting entry and throttle count end with it, as any dead letter's do.
  const [waited, throttled] = await Promise.all([
    ctx.waiting.get(name, digest),
    throttledSoFar(ctx.buckets.checkpoints, name, digest),
  ]);
  const log = eventLog(ctx, d);
  const base = { d, route: { ticket }, integration, commit: specSet.commit, digest, done, log, waited, throttled };
  const gaveUp = { by: order.by, at: order.at, ...(order.reason ? { reason: order.reason } : {}) };
  return finishAttempt(flight, ctx, attemptOf(base, event, failedWith(failure)), {
    kind: 'dead_letter',
    reason: 'operator-gave-up',
    failure,
    gaveUp,
  });
}

/**
 * A delivery of an event whose attempt this process is running (the broker missed its heartbeats, or a broker
 * restart forgot it): never a second attempt at the same time. It waits for the running one; a redelivery of the
 * same message is then settled as that one was (acked once delivered, dead-lettered or parked; nakked with its delay
 * when it is to be retried), and another message of the event is processed anew, when the ledger knows the outcome.
 */
async function joinRunning(flight: InFlight, ctx: WorkerContext, d: EventDelivery, running: RunningAttempt) {
  eventLog(ctx, d).info('delivered again while its attempt runs in this process: waiting for that attempt');
  ctx.metrics.joined.inc({ integration: d.integration });
  await running.ended;
  if (running.flight.msg.seq !== flight.msg.seq) return processEvent(flight, ctx);
  const first = running.flight.settledAs;
  if (first) return settle(flight, first.action, first.delayMs);
  // The attempt crashed before it settled (its own nak follows): retry this delivery as a crash would be.
  const fate = decideFate({ kind: 'processing-failed', deliveries: flight.msg.info.deliveryCount });
  return settle(flight, 'nak', fate?.kind === 'retry' ? fate.delayMs : undefined);
}

/** A redelivery (crash, lost ack) or a duplicate beyond the dedup window; a replay of a dead letter runs again. */
function finishedBefore(done: LedgerRecord | undefined, d: EventDelivery): done is LedgerRecord {
  return !!done && !(d.replayOf && done.entry.status === 'dead_lettered');
}

function duplicate(flight: InFlight, ctx: WorkerContext, d: EventDelivery, route: Route): Promise<void> {
  eventLog(ctx, d).info('already finished: acked without delivery');
  ctx.metrics.duplicates.inc({ integration: d.integration });
  return finished(flight, ctx, route);
}

async function attempt(
  flight: InFlight,
  ctx: WorkerContext,
  d: EventDelivery,
  digest: string,
  done: LedgerRecord | undefined,
  route: Route,
  /** The event as ingest parsed it (parsed-handoff.ts), on its first delivery in the process that stored it. */
  handed?: unknown,
): Promise<void> {
  const name = d.integration;
  const log = eventLog(ctx, d);
  // Waits for a required cross-reference and throttled attempts do not count against the retry budget.
  const [waited, throttled] =
    d.attempt > 1
      ? await Promise.all([ctx.waiting.get(name, digest), throttledSoFar(ctx.buckets.checkpoints, name, digest)])
      : [undefined, undefined];
  // Retries keep the spec version that started them; a replay runs the active set (the fix).
  const pinned =
    d.attempt > 1 && !d.replayOf
      ? ctx.specs.byCommit(await pinnedCommit(ctx.buckets.checkpoints, name, digest))
      : undefined;
  const specSet = pinned ?? ctx.specs.active;
  const integration = specSet.integrations.get(name);
  if (!integration) {
    log.warn('integration is not in the active spec set: retrying later');
    const fate = decideFate({ kind: 'integration-missing' });
    return settle(flight, 'nak', fate?.kind === 'retry' ? fate.delayMs : undefined);
  }
  const base = { d, route, integration, commit: specSet.commit, digest, done, log, waited, throttled };
  let event = handed;
  try {
    event ??= JSON.parse(deliveryText(d));
  } catch (error) {
    const message = `event is not JSON: ${(error as Error).message}`;
    const failure = { code: 'malformed-event', message, action: 'dead_letter' as const };
    return finishAttempt(flight, ctx, attemptOf(base, deliveryText(d), failedWith(failure)));
  }
  const limit = decideFate({
    kind: 'before-attempt',
    attempt: d.attempt,
    waited,
    throttled,
    retry: integration.retry,
    crashDeliveries: ctx.tuning.crashDeliveries,
  });
  if (limit?.kind === 'dead_letter')
    return finishAttempt(flight, ctx, attemptOf(base, event, failedWith(limit.failure)), limit);
  if (readsXref(integration)) await ctx.xref.sync();
  const terms = callLeaseTerms(specSet, integration, ctx.tuning.ackWaitMs);
  const leases = terms && ctx.leases.attempt(ctx.buckets.checkpoints, terms);
  const echoState = hasReversePartner(specSet, name);
  // Its KV failures are retryable, never a DLQ (execution-state.ts).
  const state = eventExecutionState({
    written: ctx.buckets.written,
    checkpoints: ctx.buckets.checkpoints,
    xref: ctx.xref,
    integration: name,
    eventDigest: digest,
    echoState,
    leases,
  });
  const invoke = ctx.specs.invoker(specSet);
  const guards = ctx.tuning.guards;
  // Only an integration with a reverse partner knows its events' source records (echo-check.ts).
  const source = echoState
    ? eventSource(integration, d.key, event, {
        invoke,
        bindings: { lookups: specSet.lookups, xref: state.xref },
        state,
        guards,
      })
    : undefined;
  let result: ExecutionResult;
  try {
    result = await executeEvent(event, {
      integration,
      lookups: specSet.lookups,
      invoke,
      state,
      eventId: d.eventId,
      guards,
      force: d.force === true,
      source,
      lookupCache: lookupCacheOf(specSet),
    });
  } finally {
    // Calls still held have an unknown outcome: hand them back, so the retry looks them up wherever it runs. Also
    // when the attempt throws: a lease kept would be renewed with every heartbeat, and every later delivery of the
    // event, a replay too, would find its own call in flight (seen with an on_error rule that failed to evaluate).
    if (leases) await leases.end();
  }
  return finishAttempt(flight, ctx, attemptOf(base, event, result));
}

/**
 * The finished attempt: `base` and the event and result, as one literal. `{ ...base, event, result }` cost about
 * 1.5 µs an event on Node 20, whose V8 adds properties to a spread's copy the slow way (docs/performance.md,
 * "Delivery CPU cuts, session 11").
 */
function attemptOf(base: Omit<Attempt, 'event' | 'result'>, event: unknown, result: ExecutionResult): Attempt {
  const { d, route, integration, commit, digest, done, log, waited, throttled } = base;
  return { d, route, integration, commit, digest, done, log, waited, throttled, event, result };
}

function failedWith(failure: NonNullable<ExecutionResult['failure']>): ExecutionResult {
  return { outcome: 'failed', requests: [], steps: {}, unchanged: [], failure };
}

function eventLog(ctx: WorkerContext, d: EventDelivery): EventLog {
  const { integration, eventId, attempt, replayOf } = d;
  return new EventLog(ctx.log, { integration, eventId, attempt, ...(replayOf ? { replayOf } : {}) });
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

const LEASE_TERMS = new WeakMap<CompiledIntegration, LeaseTerms | undefined>();

/**
 * The terms of a lease on one of the integration's calls marked as sent (a step with a `find` or `restart_from`, see
 * marksSent): it outlives its last renewal by the longest call timeout of those steps' connections plus an ack wait,
 * so the holder's call has ended before another process takes the call over; and a look-up after an unanswered call
 * waits the longest `commit_window` of those connections. Undefined when the integration has no such call (no lease,
 * no cost).
 */
function callLeaseTerms(specSet: CompiledSpecSet, integration: CompiledIntegration, ackWaitMs: number) {
  if (LEASE_TERMS.has(integration)) return LEASE_TERMS.get(integration);
  const connections = integration.steps
    .filter((s) => marksSent(integration, s))
    .map((s) => specSet.connections.get(s.connection));
  const terms =
    connections.length === 0
      ? undefined
      : {
          ttlMs: Math.max(...connections.map((c) => c?.timeoutMs ?? 0)) + ackWaitMs,
          commitWindowMs: Math.max(...connections.map((c) => c?.commitWindowMs ?? 0)),
        };
  LEASE_TERMS.set(integration, terms);
  return terms;
}

/** Resolved lookup values live as long as the spec set: a new commit asks again. */
const lookupCaches = new WeakMap<object, ResolvedLookupCache>();
function lookupCacheOf(specSet: object): ResolvedLookupCache {
  let cache = lookupCaches.get(specSet);
  if (!cache) lookupCaches.set(specSet, (cache = new ResolvedLookupCache()));
  return cache;
}
