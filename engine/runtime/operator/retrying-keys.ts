/**
 * The operator's actions on an event being retried with backoff (its key parked, worker/key-parking.ts): list the
 * retrying keys, give up on one now (dead-lettered with reason `operator-gave-up`, its key's later events then run
 * in order, as after any dead letter) or retry it now (its remaining backoff skipped). Both are orders in the key's
 * parking marker carried out by a worker taking the order's ticket, so they need a running engine, survive a crash
 * of either side, and never run beside the ticket waiting out its backoff (the order makes it stale). Both are
 * audited (`retry.give-up`, `retry.now`), refusals too. Used by the operator API and `junction retry` over NATS.
 */
import type { AuditActor, AuditEntry } from '../stores/audit-log.js';
import type { DeliveryLedger, LedgerRecord } from '../stores/delivery-ledger.js';
import type { TraceLog, TraceRecord } from '../stores/trace-log.js';
import { keyDigest } from '../broker/subjects.js';
import type { EventDelivery } from '../worker/event-delivery.js';
import type { KeyParking, ParkOrder } from '../worker/key-parking.js';
import type { PauseInfo } from '../control/pause-control.js';
import { actorLabel } from './principal.js';

export interface RetryingKeysDeps {
  parking: KeyParking;
  ledger: DeliveryLedger;
  /** Each record's attempts: the attempt count and last error of a retrying event. */
  trace?: TraceLog;
  audit: { record(entry: Omit<AuditEntry, 'at'>): Promise<unknown> };
  /** Whether an integration is paused (no engine takes its tickets until it is resumed). */
  paused?: (integration: string) => Promise<PauseInfo | undefined>;
}

/** A key whose current event is being retried (or about to run, queued behind one that finished). */
export interface RetryingKey {
  integration: string;
  key: string;
  /** The event being retried (its id without the integration), and the dead letter it replays, if it is a replay. */
  eventId: string;
  replayOf?: string;
  /** When the event was stored. */
  storedAt: string;
  /** Events of the key queued behind it, in order. */
  queued: number;
  /** Its attempts so far and the last one's error and time, as traced (absent when the trace has none). */
  attempts?: number;
  lastError?: { code: string; message: string; status?: number; step?: string };
  lastAttemptAt?: string;
  /** When its next attempt is due (its last attempt's time plus the backoff), as traced. */
  nextAttemptAt?: string;
  /** An operator's order on it not carried out yet. */
  order?: ParkOrder;
}

/** Which event of which key: `eventId`, when given, is the one the operator saw (another one now is refused). */
export interface RetryingTarget {
  integration: string;
  key: string;
  eventId?: string;
}

export type RetryOrderRefusal =
  | { status: 'not-retrying' }
  | { status: 'changed'; eventId: string }
  /**
   * Another operator's give-up of the event came first. To a give-up, once that one was carried out within the
   * wait: the dead letter it made (`dlqId`), or how the attempt under way finished the event first (`outcome`).
   */
  | { status: 'giving-up'; eventId: string; order: ParkOrder; dlqId?: string; outcome?: string };

export type GiveUpOutcome =
  | RetryOrderRefusal
  /** Dead-lettered (`dlqId`); `queued` events of the key run next, in order. */
  | { status: 'given-up'; eventId: string; dlqId: string; queued: number }
  /** The attempt under way when the order came finished it first (delivered, skipped, dead-lettered). */
  | { status: 'finished-meanwhile'; eventId: string; outcome: string; dlqId?: string }
  /**
   * Ordered, not carried out within the wait: no engine took the ticket yet (one that starts will), the
   * integration is paused (`paused`: carried out once it is resumed; not waited for), or an attempt of the event is
   * under way in engine `underWay` (its target has not answered yet): the give-up waits for it, and if that attempt
   * delivers the event, nothing is dead-lettered (worker/attempt-marks.ts).
   */
  | { status: 'ordered'; eventId: string; queued: number; paused?: PauseInfo; underWay?: string };

export type RetryNowOutcome = RetryOrderRefusal | { status: 'retrying-now'; eventId: string; attempt: number };

/** The most keys a listing shows (the rest are counted). */
export const RETRYING_LIST_LIMIT = 500;

export class RetryingKeys {
  constructor(private readonly deps: RetryingKeysDeps) {}

  /** The retrying keys of one integration or all, each with its last traced attempt. */
  async list(integration?: string): Promise<{ keys: RetryingKey[]; more: number }> {
    const lanes = await this.deps.parking.parkedKeys(integration);
    const shown = lanes.slice(0, RETRYING_LIST_LIMIT);
    const keys = await Promise.all(
      shown.map(async ({ marker, event }) => {
        const last = (await this.#attempts(event)).at(-1);
        const id = shortId(event);
        return {
          integration: event.integration,
          key: event.key,
          eventId: id,
          ...(event.replayOf ? { replayOf: event.replayOf } : {}),
          storedAt: new Date(event.storedAtMs).toISOString(),
          queued: marker.tail - marker.next,
          ...(last ? lastAttempt(last) : {}),
          ...(marker.order ? { order: marker.order } : {}),
        } satisfies RetryingKey;
      }),
    );
    keys.sort((a, b) => a.integration.localeCompare(b.integration) || a.storedAt.localeCompare(b.storedAt));
    return { keys, more: lanes.length - shown.length };
  }

  /**
   * Gives up on the key's retrying event: dead-lettered now with reason `operator-gave-up`, then its key's later
   * events run in order. Waits up to `waitMs` for a worker to carry it out, to answer with the dead letter's id.
   */
  async giveUp(actor: AuditActor, target: RetryingTarget, reason: string, waitMs = 10_000): Promise<GiveUpOutcome> {
    const order: ParkOrder = { kind: 'give-up', by: actorLabel(actor), at: new Date().toISOString(), reason };
    let before: number | undefined;
    let replay = false;
    const outcome = await this.#order(target, order, async (event) => {
      replay = event.replayOf !== undefined;
      before = (await this.deps.ledger.get(event.integration, event.eventId))?.revision;
      return this.#attemptsMade(event);
    });
    const { integration } = target;
    let result: GiveUpOutcome = outcome;
    // A paused integration's give-up is carried out once it is resumed: not waited for.
    const paused =
      outcome.status === 'giving-up' || outcome.status === 'ordered'
        ? await this.deps.paused?.(integration).catch(() => undefined)
        : undefined;
    const deadline = paused ? 0 : Date.now() + waitMs;
    if (outcome.status === 'giving-up') {
      // Another operator's give-up came first: its outcome is this one's answer too (the truth, not "soon").
      const { replayOf } = outcome;
      const done = await this.#finished(integration, outcome.eventId, deadline, (r) =>
        // A replay's event has the ledger entry of the dead letter it replays until the give-up wrote its own.
        replayOf === undefined ? true : r.entry.dlqId !== replayOf,
      );
      const { status, dlqId } = done?.entry ?? {};
      result = {
        status: 'giving-up',
        eventId: outcome.eventId,
        order: outcome.order,
        ...(status === 'dead_lettered' && dlqId ? { dlqId } : status ? { outcome: status } : {}),
      };
    }
    if (outcome.status === 'ordered') {
      result = { status: 'ordered', eventId: outcome.eventId, queued: outcome.queued, ...(paused ? { paused } : {}) };
      // A replay's event has the ledger entry of the dead letter it replays: a new revision is this give-up's.
      const done = await this.#finished(integration, outcome.eventId, deadline, (r) =>
        replay ? r.revision !== before : true,
      );
      if (done) {
        const { status, dlqId } = done.entry;
        result =
          status === 'dead_lettered' && dlqId
            ? { status: 'given-up', eventId: outcome.eventId, dlqId, queued: outcome.queued }
            : { status: 'finished-meanwhile', eventId: outcome.eventId, outcome: status };
      }
      if (result.status === 'ordered' && !paused) {
        const underWay = await this.deps.parking.attemptHolder(integration, keyDigest(target.key.trim()));
        if (underWay) result = { ...result, underWay };
      }
    }
    await this.#audit(actor, 'retry.give-up', target, result, reason);
    return result;
  }

  /** The event's ledger record once `finished` holds for it, read until `deadline` (ms); undefined if not by then. */
  async #finished(
    integration: string,
    eventId: string,
    deadline: number,
    finished: (record: LedgerRecord) => boolean,
  ): Promise<LedgerRecord | undefined> {
    for (;;) {
      const done = await this.deps.ledger.get(integration, `${integration}:${eventId}`);
      if (done && finished(done)) return done;
      if (Date.now() >= deadline) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Skips the rest of the backoff of the key's retrying event: its next attempt starts at once. */
  async retryNow(actor: AuditActor, target: RetryingTarget, reason?: string): Promise<RetryNowOutcome> {
    const order: ParkOrder = {
      kind: 'retry-now',
      by: actorLabel(actor),
      at: new Date().toISOString(),
      ...(reason ? { reason } : {}),
    };
    let made = 0;
    const outcome = await this.#order(target, order, async (event) => (made = await this.#attemptsMade(event)));
    const result: RetryNowOutcome =
      outcome.status === 'ordered'
        ? { status: 'retrying-now', eventId: outcome.eventId, attempt: made + 1 }
        : outcome.status === 'giving-up'
          ? { status: 'giving-up', eventId: outcome.eventId, order: outcome.order }
          : outcome;
    await this.#audit(actor, 'retry.now', target, result, reason);
    return result;
  }

  async #order(
    target: RetryingTarget,
    order: ParkOrder,
    attempts: (event: EventDelivery) => Promise<number>,
  ): Promise<
    | Exclude<RetryOrderRefusal, { status: 'giving-up' }>
    | { status: 'giving-up'; eventId: string; order: ParkOrder; replayOf?: string }
    | { status: 'ordered'; eventId: string; queued: number }
  > {
    const { integration } = target;
    const expect = target.eventId === undefined ? undefined : `${integration}:${target.eventId}`;
    const kd = keyDigest(target.key.trim());
    const outcome = await this.deps.parking.order(integration, kd, order, attempts, expect);
    switch (outcome.status) {
      case 'not-parked':
        return { status: 'not-retrying' };
      case 'changed':
        return { status: 'changed', eventId: shortId(outcome.event) };
      case 'giving-up': {
        const { replayOf } = outcome.event;
        return { status: 'giving-up', eventId: shortId(outcome.event), order: outcome.order, replayOf };
      }
      case 'ordered':
        return { status: 'ordered', eventId: shortId(outcome.event), queued: outcome.queued };
    }
  }

  /** The event's traced attempts (of this replay, or of the original event), oldest first. */
  async #attempts(event: EventDelivery): Promise<TraceRecord[]> {
    const records = (await this.deps.trace?.read(event.integration, event.key).catch(() => undefined)) ?? [];
    const id = shortId(event);
    return records.filter((r) => r.eventId === id && r.replayOf === event.replayOf);
  }

  /** Attempts the event made, as traced: the next one is this plus one (1 when the trace has none). */
  async #attemptsMade(event: EventDelivery): Promise<number> {
    return (await this.#attempts(event)).at(-1)?.attempt ?? 1;
  }

  async #audit(
    actor: AuditActor,
    action: string,
    target: RetryingTarget,
    outcome: GiveUpOutcome | RetryNowOutcome,
    reason: string | undefined,
  ): Promise<void> {
    const ok = ['given-up', 'ordered', 'retrying-now'].includes(outcome.status);
    const { status, ...rest } = outcome;
    const detail: Record<string, unknown> =
      'paused' in rest && rest.paused ? { ...rest, paused: actorLabel(rest.paused.by) } : rest;
    await this.deps.audit.record({
      actor,
      action,
      target: `${target.integration} key ${target.key}`,
      result: ok ? 'ok' : 'failed',
      ...(reason ? { reason } : {}),
      detail: { outcome: status, ...detail },
    });
  }
}

/** Why an order was refused, and what to do instead. */
export function retryRefusalMessage(target: RetryingTarget, refusal: RetryOrderRefusal, verb: string): string {
  const which = `key ${JSON.stringify(target.key)} of integration ${target.integration}`;
  switch (refusal.status) {
    case 'not-retrying':
      return (
        `${which} has no event being retried: nothing to ${verb} (it was delivered or dead-lettered already, or ` +
        `never failed; see \`junction trace ${target.integration} ${target.key}\`)`
      );
    case 'changed':
      return (
        `the event retried under ${which} is now ${refusal.eventId}, not ${target.eventId}: the one you saw ` +
        `finished; look again (\`junction retry list --integration ${target.integration}\`)`
      );
    case 'giving-up': {
      const already = `${refusal.order.by} gave up on event ${refusal.eventId} of ${which} at ${refusal.order.at} already`;
      if (refusal.dlqId) return `${already}: it is dead-lettered as ${refusal.dlqId}`;
      if (refusal.outcome)
        return `${already}; the attempt under way finished it first (${refusal.outcome}): nothing was dead-lettered`;
      return `${already}: it is dead-lettered as soon as an engine takes its turn`;
    }
  }
}

/** A give-up ordered and not carried out yet: when it will be. */
export function orderedMessage(
  integration: string,
  outcome: { eventId: string; paused?: PauseInfo; underWay?: string },
): string {
  const { eventId } = outcome;
  if (outcome.paused)
    return (
      `integration ${integration} is paused: event ${eventId} is dead-lettered once it is resumed ` +
      `(junction resume ${integration})`
    );
  if (outcome.underWay)
    return (
      `an attempt of event ${eventId} is under way in engine ${outcome.underWay} (its target has not answered yet): ` +
      'the give-up waits for it; if that attempt delivers the event, nothing is dead-lettered (`junction trace` ' +
      'shows how it ended)'
    );
  return (
    `no engine has taken the give-up of event ${eventId} yet: it is dead-lettered as soon as one does (is an ` +
    'engine running its workers?)'
  );
}

function shortId(event: Pick<EventDelivery, 'integration' | 'eventId'>): string {
  return event.eventId.slice(event.integration.length + 1);
}

function lastAttempt(last: TraceRecord): Partial<RetryingKey> {
  const { attempt, at, error, nextInMs } = last;
  return {
    attempts: attempt,
    lastAttemptAt: at,
    ...(error
      ? {
          lastError: {
            code: error.code,
            message: error.message,
            ...(error.status === undefined ? {} : { status: error.status }),
            ...(error.step === undefined ? {} : { step: error.step }),
          },
        }
      : {}),
    ...(nextInMs === undefined ? {} : { nextAttemptAt: new Date(Date.parse(at) + nextInMs).toISOString() }),
  };
}
