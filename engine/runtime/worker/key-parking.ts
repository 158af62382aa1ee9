/**
 * Parking of a retrying key, so a failing record delays only itself (no head-of-line blocking). Instead of
 * nak(delay), which keeps the event ack-pending and so holds its whole partition (max_ack_pending 1), the worker
 * parks the event under its key and acks it: the partition goes on with every other key, and later events of the
 * parked key queue behind it, in order.
 *
 * In KV (`junction_parked`), per parked key: a marker `<integration>.<key digest>` = `{gen, next, tail, seq}` and the
 * queued events `<integration>.<key digest>.<n>` for n in next..tail; event `next` is the one being retried. Its
 * retries are driven by one ticket on `junction.events.<integration>.retry`, consumed by the integration's retry
 * consumer (many tickets in flight, so one key's nak(delay) never holds another's). When the head finishes
 * (delivered or dead-lettered), `release` moves `next` on and publishes the ticket of the next queued event, or
 * removes the marker when the queue is empty. Markers change only by compare-and-set: appends come from the key's
 * partition (one event at a time), releases from its single current ticket. See docs/runtime.md.
 */
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { JetStreamClient, MsgRequest } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import { listKvKeys, liveEntry, purgeKeyHistory, readLiveEntry } from '../broker/kv-listing.js';
import { hotKv } from '../broker/hot-kv.js';
import type { HotKv } from '../broker/hot-kv.js';
import { EVENTS_STREAM, keyDigest, retrySubject } from '../broker/subjects.js';
import type { EventDelivery } from './event-delivery.js';
import { casConflict } from '../broker/cas-conflict.js';
import { attemptMarkKey } from './attempt-marks.js';

interface ParkMarker {
  /** Digest of the event id that parked the key: names this parking, so tickets of an earlier one are stale. */
  gen: string;
  /** The queued event being retried. */
  next: number;
  /** The last queued event. */
  tail: number;
  /** Stream sequence of the message that parked the key (markers written before this field: none). */
  seq?: number;
  /**
   * Bumped by an operator's order on the event being retried (give up, retry now): its ticket of the round before
   * is stale from then on, so its backoff is cut short and never runs the event a second time. Absent: 0.
   */
  round?: number;
  /** The operator's order on the event being retried, carried out by the ticket of `round`. */
  order?: ParkOrder;
}

/** An operator's order on a parked key's current event (operator/retrying-keys.ts). */
export interface ParkOrder {
  /** `give-up`: dead-letter it now (reason `operator-gave-up`); `retry-now`: its next attempt at once. */
  kind: 'give-up' | 'retry-now';
  /** Who (`<kind>:<id>` of the audit actor), when, and why. */
  by: string;
  at: string;
  reason?: string;
}

interface ParkedKey {
  marker: ParkMarker;
  revision: number;
}

/** What a ticket says: run queued event `idx` of parking `gen` of key digest `kd`. */
export interface ParkTicket {
  integration: string;
  kd: string;
  gen: string;
  idx: number;
  /** The marker's `round` this ticket belongs to (absent: 0). */
  round?: number;
  /** Attempts the event made before it was parked. */
  attempts: number;
  /** Wait this long before the first attempt (the backoff of the failure that parked it). */
  delayMs?: number;
}

const TICKET = { park: 'Junction-Park', attempts: 'Junction-Park-Attempts', delay: 'Junction-Park-Delay' } as const;

interface StoredEvent extends Omit<EventDelivery, 'data' | 'attempt'> {
  /** base64 of the event's bytes, exactly as stored. */
  data: string;
}

/** What an operator's order on a parked key came to (`KeyParking.order`). */
type OrderOutcome =
  /** Nothing is parked under the key: no event of it is being retried. */
  | { status: 'not-parked' }
  /** Another event than the one the operator saw is the current one now (that one finished). */
  | { status: 'changed'; event: EventDelivery }
  /** A give-up was ordered already and not carried out yet. */
  | { status: 'giving-up'; event: EventDelivery; order: ParkOrder }
  /** Ordered: a ticket of the new round runs `event` (`queued`: the key's events waiting behind it). */
  | { status: 'ordered'; event: EventDelivery; queued: number };

/** A parked key: the marker and the event its lane runs now. */
interface ParkedLane {
  integration: string;
  kd: string;
  marker: ParkMarker;
  event: EventDelivery;
}

export class KeyParking {
  /** The marker read every event from a partition makes. */
  readonly #hot: HotKv;

  constructor(
    private readonly kv: KV,
    private readonly js: JetStreamClient,
  ) {
    this.#hot = hotKv(kv);
  }

  /** The key's parking, if it is parked. */
  async marker(integration: string, kd: string): Promise<ParkedKey | undefined> {
    const entry = liveEntry(await this.#hot.get(markerKey(integration, kd)));
    return entry && { marker: entry.json<ParkMarker>(), revision: entry.revision };
  }

  /**
   * Parks a key behind its failing event `d`: stores it as queued event 0 and publishes its ticket. False when the
   * key got parked meanwhile (another process; the caller falls back to nak).
   */
  async park(d: EventDelivery, kd: string, gen: string, seq: number, delayMs: number): Promise<boolean> {
    // The marker first, by compare-and-set: every parking of a key keeps its queued events at the same places, and a
    // park that stored its event first and lost to a parking begun meanwhile (an event that outlived its ack wait)
    // wrote over that parking's head. A crash before the event is stored is repaired by its redelivery (resumeHead).
    try {
      await this.kv.create(markerKey(d.integration, kd), JSON.stringify({ gen, next: 0, tail: 0, seq }));
    } catch (error) {
      if (casConflict(error)) return false;
      throw error;
    }
    await this.kv.put(itemKey(d.integration, kd, 0), storedJson(d));
    await this.publishTicket({ integration: d.integration, kd, gen, idx: 0, attempts: d.attempt, delayMs });
    return true;
  }

  /**
   * A redelivery of the message that parked the key (a crash before its ack): its event stored (the crash may have
   * come before it was) and its ticket published, both again if they were already.
   */
  async resumeHead(d: EventDelivery, kd: string, marker: ParkMarker): Promise<void> {
    await this.kv.put(itemKey(d.integration, kd, 0), storedJson(d));
    await this.publishTicket({ integration: d.integration, kd, gen: marker.gen, idx: 0, attempts: d.attempt - 1 });
  }

  /** Queues `d` behind the parked key's events. False when the key is no longer parked (process it at once). */
  async append(d: EventDelivery, kd: string, parked: ParkedKey): Promise<boolean> {
    let current: ParkedKey | undefined = parked;
    while (current) {
      if (await this.#unparkedEmpty(d.integration, kd, current)) return false;
      const idx = current.marker.tail + 1;
      await this.kv.put(itemKey(d.integration, kd, idx), storedJson(d));
      try {
        await this.kv.update(
          markerKey(d.integration, kd),
          JSON.stringify({ ...current.marker, tail: idx }),
          current.revision,
        );
        return true;
      } catch (error) {
        if (!casConflict(error)) throw error;
      }
      current = await this.marker(d.integration, kd);
      if (!current) await purgeKeyHistory(this.kv, itemKey(d.integration, kd, idx));
    }
    return false;
  }

  /**
   * Deletes (by compare-and-set) a marker with no event stored behind it, as the partition's next event finds it: a
   * park whose marker landed after its message was processed elsewhere (its process cut off from NATS, the write
   * sent once it reconnected), which no ticket will ever run, so every later event of the key queued behind it for
   * good; or the release of its only event under way, which deletes it all the same. True once it is gone.
   */
  async #unparkedEmpty(integration: string, kd: string, parked: ParkedKey): Promise<boolean> {
    const { next, tail } = parked.marker;
    if (next !== 0 || tail !== 0 || (await readLiveEntry(this.kv, itemKey(integration, kd, 0)))) return false;
    try {
      await this.kv.delete(markerKey(integration, kd), { previousSeq: parked.revision });
      return true;
    } catch (error) {
      if (casConflict(error)) return false;
      throw error;
    }
  }

  /**
   * Every parked key of the integration (its digest) with the event its lane runs now; a marker whose event is not
   * stored (a park or release under way) is left out. Read for a key change's drain (key-change-drain.ts).
   */
  async parkedHeads(integration: string): Promise<{ kd: string; event: EventDelivery }[]> {
    const heads: { kd: string; event: EventDelivery }[] = [];
    for (const key of await listKvKeys(this.kv, `${integration}.*`)) {
      const kd = key.slice(integration.length + 1);
      const parked = await this.marker(integration, kd);
      const event =
        parked &&
        (await this.event({ integration, kd, gen: parked.marker.gen, idx: parked.marker.next, attempts: 0 }, 0));
      if (event) heads.push({ kd, event });
    }
    return heads;
  }

  /** The queued event a ticket names, with `attempt` as its attempt number. */
  async event(t: ParkTicket, attempt: number): Promise<EventDelivery | undefined> {
    const entry = await readLiveEntry(this.kv, itemKey(t.integration, t.kd, t.idx));
    if (!entry) return undefined;
    const stored = entry.json<StoredEvent>();
    return { ...stored, attempt, data: Buffer.from(stored.data, 'base64') };
  }

  /**
   * The ticket's event finished: the next queued event (if any) gets its ticket, else the key is unparked. Safe to
   * repeat after a crash: a ticket whose event was released already changes nothing (`current` re-publishes its
   * successor's ticket). The event is removed first, while the marker still names it: once the marker has moved on,
   * the key may be parked again (queued events of every parking share the places `<n>`), and a removal then, by this
   * release or by a second delivery of its ticket finishing late, took the new parking's head with it.
   */
  async release(t: ParkTicket): Promise<void> {
    const key = markerKey(t.integration, t.kd);
    let removed = false;
    for (;;) {
      const parked = await this.marker(t.integration, t.kd);
      if (!isCurrent(t, parked)) break;
      const { marker, revision } = parked!;
      if (!removed) await purgeKeyHistory(this.kv, itemKey(t.integration, t.kd, t.idx));
      removed = true;
      try {
        if (marker.tail <= t.idx) await this.kv.delete(key, { previousSeq: revision });
        else await this.kv.update(key, JSON.stringify(movedOn(marker, t.idx + 1)), revision);
      } catch (error) {
        if (casConflict(error)) continue;
        throw error;
      }
      if (marker.tail > t.idx) await this.publishTicket(successor(t));
      break;
    }
  }

  /**
   * Whether a ticket is the current one of its key. A stale ticket (its event was released, or its parking ended)
   * only re-publishes its successor's ticket, in case a crash came between a release and its ack.
   */
  async current(t: ParkTicket): Promise<boolean> {
    return (await this.currentMarker(t)) !== undefined;
  }

  /** `current`, answering the marker when the ticket is current (its operator's order, if any). */
  async currentMarker(t: ParkTicket): Promise<ParkMarker | undefined> {
    const parked = await this.marker(t.integration, t.kd);
    if (isCurrent(t, parked)) return parked!.marker;
    if (parked?.marker.gen === t.gen && parked.marker.next === t.idx + 1) await this.publishTicket(successor(t));
    return undefined;
  }

  /** Whether a ticket is the current one of its key, without re-publishing anything (the consumer watchdog). */
  async isCurrent(t: ParkTicket): Promise<boolean> {
    return isCurrent(t, await this.marker(t.integration, t.kd));
  }

  /**
   * An operator's order on the key's current event: the marker's round moves on with the order (by compare-and-set,
   * so the ticket waiting out its backoff goes stale), and a ticket of the new round runs at once. `expect`: the
   * event id the operator saw as the current one (another event now: `changed`).
   */
  async order(
    integration: string,
    kd: string,
    order: ParkOrder,
    attempts: (event: EventDelivery) => Promise<number>,
    expect?: string,
  ): Promise<OrderOutcome> {
    for (;;) {
      const parked = await this.marker(integration, kd);
      if (!parked) return { status: 'not-parked' };
      const { marker, revision } = parked;
      const round = (marker.round ?? 0) + 1;
      const ticket: ParkTicket = { integration, kd, gen: marker.gen, idx: marker.next, round, attempts: 0 };
      const event = await this.event(ticket, 0);
      // A park or release under way: its event is not stored (yet, or any more).
      if (!event) return { status: 'not-parked' };
      if (expect !== undefined && event.eventId !== expect) return { status: 'changed', event };
      if (marker.order?.kind === 'give-up') return { status: 'giving-up', event, order: marker.order };
      try {
        await this.kv.update(markerKey(integration, kd), JSON.stringify({ ...marker, round, order }), revision);
      } catch (error) {
        if (casConflict(error)) continue;
        throw error;
      }
      await this.publishTicket({ ...ticket, attempts: await attempts(event) });
      await this.#dropStale(ticket);
      return { status: 'ordered', event, queued: marker.tail - marker.next };
    }
  }

  /**
   * Deletes the tickets of `t`'s event from rounds before it: the one waiting out its backoff would otherwise stay
   * stored (and counted in the lag) until its delay ran out, only to be acked as stale. Best effort: one missed is
   * acked on sight when it comes due. A ticket being processed right now is not among them (its attempt finishes).
   */
  async #dropStale(t: ParkTicket): Promise<void> {
    const jsm = await this.js.jetstreamManager();
    const subject = retrySubject(t.integration);
    const mine = `${t.kd}.${t.gen}.${t.idx}`;
    try {
      for (let seq = 1; ;) {
        // STREAM.MSG.GET takes `next_by_subj` since nats-server 2.9 (phantom-pending.ts); an acked ticket is gone.
        const query = { seq, next_by_subj: subject } as unknown as MsgRequest;
        const msg = await jsm.streams.getMessage(EVENTS_STREAM, query).catch(() => null);
        if (!msg) break;
        seq = msg.seq + 1;
        const stale = parseTicket(msg.header, t.integration);
        if (stale && `${stale.kd}.${stale.gen}.${stale.idx}` === mine && (stale.round ?? 0) < (t.round ?? 0))
          await jsm.streams.deleteMessage(EVENTS_STREAM, msg.seq, false).catch(() => false);
      }
    } catch {
      // The stale ticket is acked when it comes due.
    }
  }

  /**
   * The engine whose attempt of the key's event holds its attempt mark (attempt-marks.ts): an attempt under way
   * there, or one whose engine stopped answering (the mark then runs out). Undefined when there is none.
   */
  async attemptHolder(integration: string, kd: string): Promise<string | undefined> {
    const entry = await readLiveEntry(this.kv, attemptMarkKey(integration, kd));
    try {
      return entry?.json<{ holder?: string }>().holder?.replace(/#\d+$/, '');
    } catch {
      return undefined;
    }
  }

  /** Every parked key (of one integration, or all), with its marker and the event its lane runs now. */
  async parkedKeys(integration?: string): Promise<ParkedLane[]> {
    const lanes: ParkedLane[] = [];
    for (const name of await listKvKeys(this.kv, integration ? `${integration}.*` : '*.*')) {
      const [owner, kd] = name.split('.');
      const parked = await this.marker(owner!, kd!);
      if (!parked) continue;
      const { gen, next: idx, round } = parked.marker;
      const event = await this.event({ integration: owner!, kd: kd!, gen, idx, round, attempts: 0 }, 0);
      if (event) lanes.push({ integration: owner!, kd: kd!, marker: parked.marker, event });
    }
    return lanes;
  }

  async publishTicket(t: ParkTicket): Promise<void> {
    const h = natsHeaders();
    const round = t.round ? `.${t.round}` : '';
    h.set(TICKET.park, `${t.kd}.${t.gen}.${t.idx}${round}`);
    h.set(TICKET.attempts, String(t.attempts));
    if (t.delayMs !== undefined) h.set(TICKET.delay, String(t.delayMs));
    // The same ticket published twice (a crash and a redo) is stored once.
    await this.js.publish(retrySubject(t.integration), undefined, {
      headers: h,
      msgID: `park:${t.integration}:${t.kd}:${t.gen}:${t.idx}${t.round ? `:r${t.round}` : ''}`,
    });
  }
}

/**
 * The name (`gen`) of the parking event `d` starts (`digest` = `keyDigest(d.eventId)`): the digest of its id, and for
 * a replay of its id and the dead letter it replays. A replay has its event's id, and that event may have parked the
 * key minutes before: under the same name the replay's tickets would carry that parking's msg ids, which the broker
 * drops as duplicates within its dedup window (the key stayed parked with no ticket, its later events behind it),
 * and a late ticket of the earlier parking would pass as current.
 */
export function parkingGen(d: EventDelivery, digest: string): string {
  return d.replayOf ? keyDigest(`${d.eventId}\n${d.replayOf}`) : digest;
}

/**
 * Whether `marker` is the parking that the message at stream sequence `seq` started, its event not released yet: that
 * message is delivered again only after a crash before its ack, and must make sure its ticket exists. Another message
 * of the same event (`gen`), a duplicate stored after the broker's dedup window dropped its id, is not it: it queues
 * behind the parking like any later event (the ledger skips it there). Taken for the parking's own message, it
 * published a second ticket of event 0, its msg id past the window too, which ran the event beside the first with
 * its attempt count started again.
 */
export function startedBy(marker: ParkMarker, gen: string, seq: number): boolean {
  return marker.gen === gen && marker.next === 0 && (marker.seq === undefined || marker.seq === seq);
}

function isCurrent(t: ParkTicket, parked: ParkedKey | undefined): boolean {
  return parked?.marker.gen === t.gen && parked.marker.next === t.idx && (parked.marker.round ?? 0) === (t.round ?? 0);
}

/** The marker once its current event finished: the next one's turn, with no round or order of the one before. */
function movedOn(marker: ParkMarker, next: number): ParkMarker {
  const { round: _round, order: _order, ...rest } = marker;
  return { ...rest, next };
}

/** The ticket of the event queued after `t`'s (a first turn: round 0, no backoff). */
function successor(t: ParkTicket): ParkTicket {
  const { round: _round, ...rest } = t;
  return { ...rest, idx: t.idx + 1, attempts: 0, delayMs: undefined };
}

/** Reads a ticket from a message's headers (delivered or stored); undefined for anything else. */
export function parseTicket(headers: MsgHdrs | undefined, integration: string): ParkTicket | undefined {
  const [kd, gen, idx, round] = (headers?.get(TICKET.park) ?? '').split('.');
  const delay = headers?.get(TICKET.delay);
  if (!kd || !gen || !/^\d+$/.test(idx ?? '') || (round !== undefined && !/^\d+$/.test(round))) return undefined;
  return {
    integration,
    kd,
    gen,
    idx: Number(idx),
    ...(round ? { round: Number(round) } : {}),
    attempts: Number(headers?.get(TICKET.attempts)) || 0,
    ...(delay ? { delayMs: Number(delay) } : {}),
  };
}

function markerKey(integration: string, kd: string): string {
  return `${integration}.${kd}`;
}

function itemKey(integration: string, kd: string, idx: number): string {
  return `${integration}.${kd}.${idx}`;
}

function storedJson(d: EventDelivery): string {
  const { data, attempt: _attempt, ...rest } = d;
  return JSON.stringify({ ...rest, data: Buffer.from(data).toString('base64') } satisfies StoredEvent);
}
