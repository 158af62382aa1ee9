/**
 * The mark of an attempt under way of a parked key's event, across engines: `<integration>.<key digest>.attempt` in
 * junction_parked. An operator's order (`junction retry give-up|now`) moves the key's marker on to a new round and
 * publishes its ticket at once, and that ticket may reach another engine while the attempt of the round before is
 * still waiting for its target there. Without the mark, that engine dead-lettered the event beside it (and then ran
 * the key's next event) or ran a second attempt beside it; the first attempt delivered it anyway, after the give-up,
 * with nobody told, and the key's next event could land before it.
 *
 * So every ticket's attempt (and a give-up, which is one) first takes the key's mark: while another engine's attempt
 * holds it, it waits (its ticket stays in flight, so no delivery is spent), then writes its own by compare-and-set,
 * and only then reads the key's marker again: an attempt whose round an order ended meanwhile does not run. Of an
 * attempt that wrote its mark and an order, one sees the other: the order's ticket reads the mark after the order
 * was written, and the attempt reads the marker after its mark was.
 *
 * The mark is a lease (call-leases.ts): renewed with the in-flight heartbeat, deleted when the attempt ends, and
 * running out `ttlMs` (two ack waits) after its last renewal when its engine died or stopped answering (a VM frozen
 * past it). Then the waiting engine goes ahead; should the frozen engine wake and deliver the event after all, its
 * finish says so on the dead letter (attempt-finish.ts). One mark per parked key; a key whose events run from their
 * partition (never parked) has none.
 */
import type { KV } from '@nats-io/kv';
import { casConflict } from '../broker/cas-conflict.js';
import { liveEntry } from '../broker/kv-listing.js';
import type { CallLeases } from './call-leases.js';

/** The key of a parked key's attempt mark (next to its marker `<integration>.<kd>` and queued events `.<n>`). */
export function attemptMarkKey(integration: string, kd: string): string {
  return `${integration}.${kd}.attempt`;
}

/** As call-leases.ts writes and renews its marks. */
interface Mark {
  sent: true;
  /** `<engine holder>#<n>`. */
  holder: string;
  until: number;
  ttl: number;
}

/** Another engine's attempt under way: its holder, and for how long at most its mark holds. */
interface AttemptElsewhere {
  holder: string;
  forMs: number;
}

/** How often a waiting engine looks at the mark again (an attempt usually ends long before its lease would). */
const POLL_MS = 250;

export class AttemptMarks {
  constructor(
    private readonly kv: KV,
    private readonly leases: CallLeases,
    /** How long a mark holds past its last renewal. */
    private readonly ttlMs: number,
  ) {}

  /** The engine whose attempt of the key's event is under way, if it is not this one's. */
  async elsewhere(integration: string, kd: string): Promise<AttemptElsewhere | undefined> {
    return (await this.#read(attemptMarkKey(integration, kd))).elsewhere;
  }

  /**
   * Takes the key's mark for an attempt of this engine, after waiting for another engine's attempt to end (or its
   * mark to run out); `waiting` is told once whom it waits for. Resolves with the mark's release, or undefined once
   * `cancelled()` (the ticket was handed back by a drain meanwhile).
   */
  async take(
    integration: string,
    kd: string,
    cancelled: () => boolean,
    waiting: (other: AttemptElsewhere) => void,
  ): Promise<(() => Promise<void>) | undefined> {
    const key = attemptMarkKey(integration, kd);
    let told = false;
    for (;;) {
      if (cancelled()) return undefined;
      const { revision, elsewhere } = await this.#read(key);
      if (elsewhere) {
        if (!told) waiting(elsewhere);
        told = true;
        await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, elsewhere.forMs)));
        continue;
      }
      const token = this.leases.token();
      const renewedAt = performance.now();
      const mark: Mark = { sent: true, holder: token, until: this.leases.clock.now() + this.ttlMs, ttl: this.ttlMs };
      let written: number;
      try {
        written = await this.kv.put(key, JSON.stringify(mark), { previousSeq: revision });
      } catch (error) {
        if (casConflict(error)) continue; // another engine took it first: wait for that one
        throw error;
      }
      this.leases.hold({ kv: this.kv, key, token, revision: written, ttlMs: this.ttlMs, renewedAt });
      return () => this.#release(token);
    }
  }

  /** Deletes the mark once its attempt ended (a renewal under way first, so the delete's compare-and-set holds). */
  async #release(token: string): Promise<void> {
    const held = this.leases.drop(token);
    if (!held) return;
    await held.renewal;
    await this.kv.delete(held.key, { previousSeq: held.revision }).catch(() => undefined);
  }

  async #read(key: string): Promise<{ revision: number; elsewhere?: AttemptElsewhere }> {
    const entry = await this.kv.get(key);
    const live = liveEntry(entry);
    const revision = entry?.revision ?? 0;
    if (!live) return { revision };
    let mark: Mark;
    try {
      mark = live.json<Mark>();
    } catch {
      return { revision };
    }
    const forMs = this.leases.heldElsewhere(mark, this.leases.clock.now(), live.created.getTime());
    // This engine's own attempts of the event meet in running-events.ts; a mark of one that ended is stale.
    if (forMs === undefined || !mark.holder || this.leases.owns(mark.holder)) return { revision };
    return { revision, elsewhere: { holder: mark.holder.replace(/#\d+$/, ''), forMs } };
  }
}
