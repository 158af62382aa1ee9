/**
 * Leases across worker processes on the calls that can duplicate: a create with a `find` and a batch step with
 * `restart_from`, whose sent mark tells a retry to look the record up (or restart) instead of sending again. A broker
 * restart can deliver an event to a second process while the first is still inside such a call; both would find no
 * record and create it twice. So the sent mark is a lease, `{sent: true, holder, until}` in junction_checkpoints,
 * written by compare-and-set against the entry the attempt read before: of two attempts that race, one marks the call;
 * the other finds a live holder (or loses the compare-and-set) and is retried later (code `call-in-flight`), without
 * a look-up or a call. The mark was written anyway, so the lease costs no round trip on the way of an event.
 *
 * The holder renews its leases with the in-flight heartbeat (consumer-pool.ts) and hands back what it still holds
 * when the attempt ends (an unknown outcome: the retry, anywhere, looks the record up at once). A lease runs out
 * `ttlMs` after its last renewal, so a holder that was SIGKILLed blocks the event only that long: the connection's
 * call timeout plus an ack wait, so its call is over, answered or timed out, before another process looks it up.
 *
 * That holds only if the call goes out while the lease still has its timeout to run. A call can wait at its
 * connection's concurrency gate or rate limit for longer than the lease, and a holder cut off from NATS cannot renew
 * meanwhile: so right before the request goes out the holder checks, by its own clock, that its lease outlasts the
 * call's timeout by a heartbeat (renewing it first when it is short), and withdraws the call unsent otherwise.
 *
 * `until` is written and judged by the broker's clock as each process estimates it (control/broker-clock.ts), so no two
 * engines' clocks are compared. The estimates may differ by a round trip or so: after taking another holder's lease
 * over, a process waits out what is left of it by the broker's timestamps of the two writes. The holder times its own
 * lease by a monotonic clock: a wall clock stepped back while it holds one (NTP, a VM resumed) would
 * otherwise make a lease that ran out look alive to its holder.
 */
import type { KV, KvEntry } from '@nats-io/kv';
import { EngineStateError } from '../../execute/engine-state-error.js';
import { localClock } from '../control/broker-clock.js';
import type { LeaseClock } from '../control/broker-clock.js';
import { brokerMsUntil } from '../control/kv-lease.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import { AWAITING_COMMIT, CALL_IN_FLIGHT } from './error-fate.js';

/** What a lease on a call lasts and waits for. */
export interface LeaseTerms {
  /** How long the lease lasts past each write of it: the longest call timeout plus an ack wait. */
  ttlMs: number;
  /** How long the target may still commit a call after its client gave up (`commit_window`); 0: not waited for. */
  commitWindowMs: number;
}

interface LeaseMark {
  sent: true;
  /** `<engine holder>#<n>`: the attempt that holds the call. */
  holder?: string;
  /** Epoch ms the lease runs out unless renewed, by the broker's clock as the holder estimated it. */
  until?: number;
  /** How long the lease lasts past each write of it (marks written before this field: the reader's own). */
  ttl?: number;
  /**
   * In a mark handed back by an attempt that sent nothing: when the last unanswered call ended, by the broker's clock
   * (0: none was sent). Without it, a handed-back mark's own write time is when its attempt's call ended.
   */
  since?: number;
}

interface Held {
  kv: KV;
  key: string;
  token: string;
  revision: number;
  ttlMs: number;
  /** When the lease in KV was last written, by `monotonicNow`: it runs out `ttlMs` later. */
  renewedAt: number;
  /** The renewal under way, if any. */
  renewal?: Promise<void>;
  /** When the last unanswered call ended (broker ms), until this attempt sends the call itself: handed back as is. */
  since?: number;
}

/** This process's leases: one per call being sent by one of its attempts. */
export class CallLeases {
  readonly #held = new Map<string, Held>();
  #next = 0;

  /** How old a lease is before a heartbeat renews it (the heartbeat's own interval). */
  readonly renewEveryMs: number;

  /**
   * @param holder this engine (`<host>_<pid>-<tag>`): a lease of this engine whose attempt no longer runs is stale.
   * @param ackWaitMs the consumers' ack wait: leases are renewed every third of it.
   * @param counts where renewals and takeovers are counted (the engine's metrics).
   * @param clock what `until` is written and judged by: the broker's clock, as this process estimates it.
   */
  constructor(
    readonly holder: string,
    readonly ackWaitMs: number,
    private readonly counts?: Pick<RuntimeMetrics, 'leasesRenewed' | 'leasesTakenOver'>,
    readonly clock: LeaseClock = localClock,
  ) {
    this.renewEveryMs = ackWaitMs / 3;
  }

  /** The leases of one attempt, in `kv`, on `terms`. */
  attempt(kv: KV, terms: LeaseTerms): AttemptLeases {
    return new AttemptLeases(this, kv, terms);
  }

  /** Called with every in-flight heartbeat: renews the leases older than a heartbeat (`now` by `monotonicNow`). */
  renew(now = monotonicNow()): void {
    for (const held of this.#held.values())
      if (!held.renewal && now - held.renewedAt >= this.renewEveryMs) this.#renewal(held, now);
  }

  /**
   * Whether the lease `token` still runs for `forMs` by this process's clock, renewed first when it is shorter (one
   * compare-and-set, so never past another process that took it over). False when it is not held any more.
   */
  async lasts(token: string, forMs: number): Promise<boolean> {
    const held = this.#held.get(token);
    if (!held) return false;
    const left = () => held.renewedAt + held.ttlMs - monotonicNow();
    if (left() >= forMs) return true;
    await this.#renewal(held, monotonicNow());
    return left() >= forMs;
  }

  /** The renewal under way, or a new one: the lease written again to run `ttlMs` from `now` (by `monotonicNow`). */
  #renewal(held: Held, now: number): Promise<void> {
    return (held.renewal ??= held.kv
      .put(held.key, markJson(held.token, this.clock.now(), held.ttlMs), { previousSeq: held.revision })
      .then((revision) => {
        Object.assign(held, { revision, renewedAt: now });
        this.counts?.leasesRenewed.inc();
      })
      // The mark changed under it (the call's outcome was stored, or another process took the lease over) or the
      // broker is away: the lease runs out by itself.
      .catch(() => undefined)
      .finally(() => (held.renewal = undefined)));
  }

  /**
   * When to ask again about a call `mark` says another running attempt holds: when its lease runs out (one try per
   * lease, so waiting spends few deliveries), or after an ack wait for an attempt of this engine. Undefined when the
   * call is free to take. `now` is the broker's clock as this process estimates it. A lease never has more than its
   * `ttl` left after the write the reader saw (`writtenAt`, the broker's timestamp), whatever its `until` says: a
   * holder that wrote `until` by another clock (an engine from before the broker clock) blocks a reader that long at
   * most. Should the reader's estimate run ahead of the broker's, the taker waits out the rest by the broker's
   * timestamps (`claim`).
   */
  heldElsewhere(mark: LeaseMark, now: number, writtenAt: number): number | undefined {
    if (!mark.holder || mark.until === undefined) return undefined;
    // One of this engine's own: held while its attempt runs (renewed or not), stale once it ended.
    if (this.owns(mark.holder)) return this.#held.has(mark.holder) ? this.ackWaitMs : undefined;
    if (mark.until <= now) return undefined;
    // Not written again for its ttl since the write the reader saw: run out, however far ahead `until` is.
    if (mark.ttl !== undefined && writtenAt + mark.ttl <= now) return undefined;
    return Math.min(mark.until - now, mark.ttl ?? Infinity);
  }

  /** Whether a lease holder is one of this engine's attempts. */
  owns(holder: string): boolean {
    return holder.startsWith(`${this.holder}#`);
  }

  token(): string {
    return `${this.holder}#${++this.#next}`;
  }

  /** `held` is this process's now; `previous` the mark it replaced, when that was another holder's lease. */
  hold(held: Held, previous?: LeaseMark): void {
    this.#held.set(held.token, held);
    if (previous?.holder) this.counts?.leasesTakenOver.inc();
  }

  /** The call held by `token` goes out now. */
  sending(token: string): void {
    const held = this.#held.get(token);
    if (held) held.since = undefined;
  }

  drop(token: string): Held | undefined {
    const held = this.#held.get(token);
    this.#held.delete(token);
    return held;
  }
}

/** The calls one attempt holds, by checkpoint key. */
export class AttemptLeases {
  readonly #tokens = new Map<string, string>();

  readonly #ttlMs: number;
  readonly #commitWindowMs: number;

  constructor(
    private readonly leases: CallLeases,
    private readonly kv: KV,
    terms: LeaseTerms,
  ) {
    this.#ttlMs = terms.ttlMs;
    this.#commitWindowMs = terms.commitWindowMs;
  }

  /**
   * Marks the call at `key` as sent by this attempt, by compare-and-set against `seen` (the entry the attempt read:
   * none, a deleted one, or a sent mark). Throws `call-in-flight` when another running attempt holds it, and
   * `awaiting-commit` while the target may still commit an earlier attempt's unanswered call (`commit_window`).
   */
  async claim(key: string, seen: KvEntry | null | undefined): Promise<void> {
    const now = this.leases.clock.now();
    const mark = seen?.operation === 'PUT' && seen.length > 0 ? seen.json<LeaseMark>() : undefined;
    const busy = mark && this.leases.heldElsewhere(mark, now, seen!.created.getTime());
    if (busy !== undefined) throw inFlight(busy, 'another attempt of this event is sending this call');
    const token = this.leases.token();
    const writtenAt = monotonicNow();
    let revision: number;
    try {
      revision = await this.kv.put(key, markJson(token, now, this.#ttlMs), { previousSeq: seen?.revision ?? 0 });
    } catch (error) {
      if (!/wrong last sequence/i.test(String((error as Error)?.message))) throw error;
      throw inFlight(this.leases.ackWaitMs, 'another attempt of this event marked this call first');
    }
    this.#tokens.set(key, token);
    const since = seen && mark ? this.#unansweredSince(seen, mark) : 0;
    this.leases.hold({ kv: this.kv, key, token, revision, ttlMs: this.#ttlMs, renewedAt: writtenAt, since }, mark);
    if (since > 0 && this.#commitWindowMs > 0) await this.#awaitCommit(key, revision, since);
    else if (seen && mark?.holder && !this.leases.owns(mark.holder)) await this.#outlast(key, revision, seen, mark);
  }

  /**
   * When the last call sent under `mark` without an answer ended, by the broker's clock: a lease's holder may have
   * sent until its lease ran out; a handed-back mark says so itself, or was written when its attempt's call ended.
   */
  #unansweredSince(seen: KvEntry, mark: LeaseMark): number {
    if (mark.holder) return seen.created.getTime() + (mark.ttl ?? this.#ttlMs);
    return mark.since ?? seen.created.getTime();
  }

  /**
   * The target may commit a call for `commit_window` after its client gave up: until then a look-up could miss a
   * create that is still coming, so the attempt is retried once the window has passed (judged by the broker's clock:
   * the time it stored this attempt's lease), without spending the budget.
   */
  async #awaitCommit(key: string, revision: number, since: number): Promise<void> {
    const left = await brokerMsUntil(this.kv, key, revision, since + this.#commitWindowMs, this.#commitWindowMs);
    if (left <= 0) return;
    throw new EngineStateError(
      AWAITING_COMMIT,
      `an earlier attempt sent this call without an answer, and the target may still commit it (commit_window ${Math.ceil(this.#commitWindowMs / 1000)} s); looking it up in ${Math.ceil(left / 1000)} s`,
      { retryAfterMs: left },
    );
  }

  /**
   * Another engine's lease was taken over because it had run out by this process's estimate of the broker's clock,
   * which may run ahead of the holder's by a round trip or so. Judged by the broker's own timestamps instead (the times
   * it stored the holder's last write and this one), the rest of that lease is waited out before the call is looked up
   * or sent, so the old holder's call has ended by then. When this write cannot be read back, the whole lease is waited
   * out.
   */
  async #outlast(key: string, revision: number, seen: KvEntry, mark: LeaseMark): Promise<void> {
    const ttlMs = mark.ttl ?? this.#ttlMs;
    const early = await brokerMsUntil(this.kv, key, revision, seen.created.getTime() + ttlMs, ttlMs);
    if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
  }

  /**
   * Right before the call at `key` goes out (after its connection's gate and rate limit): whether this attempt still
   * holds it for the call's timeout and a heartbeat more, so the call is over before the lease can run out. The lease
   * lasts the longest call timeout of the leased steps plus an ack wait past its last renewal.
   */
  async holdsForCall(key: string): Promise<boolean> {
    const token = this.#tokens.get(key);
    const timeoutMs = this.#ttlMs - this.leases.ackWaitMs;
    const holds = token !== undefined && (await this.leases.lasts(token, timeoutMs + this.leases.renewEveryMs));
    // The call goes out: from now on its own end is when it went unanswered, if it does.
    if (holds) this.leases.sending(token!);
    return holds;
  }

  /** The call's outcome replaced the mark (its result, or the mark cleared): nothing left to renew or hand back. */
  settled(key: string): void {
    const token = this.#tokens.get(key);
    if (token === undefined) return;
    this.#tokens.delete(key);
    this.leases.drop(token);
  }

  /**
   * The attempt ended: hands back the calls it still holds (their outcome is unknown), keeping the sent mark, so the
   * retry looks the record up at once wherever it runs. Best effort: a lease not handed back runs out.
   */
  async end(): Promise<void> {
    for (const token of this.#tokens.values()) {
      const held = this.leases.drop(token);
      if (!held) continue;
      // A renewal under way moves the revision: written before it lands, the hand-back would lose the compare-and-set
      // and the lease would stay held until it ran out.
      await held.renewal;
      await this.kv.put(held.key, handedBack(held), { previousSeq: held.revision }).catch(() => undefined);
    }
    this.#tokens.clear();
  }
}

/** The holder's clock for its own leases: never stepped, unlike `Date.now()`. */
function monotonicNow(): number {
  return performance.now();
}

/** The mark an attempt leaves on a call it still holds as it ends: sent, with no holder. */
function handedBack(held: Held): string {
  return JSON.stringify({ sent: true, ...(held.since === undefined ? {} : { since: held.since }) } satisfies LeaseMark);
}

function markJson(holder: string, now: number, ttl: number): string {
  return JSON.stringify({ sent: true, holder, until: now + ttl, ttl } satisfies LeaseMark);
}

function inFlight(retryAfterMs: number, why: string) {
  return new EngineStateError(CALL_IN_FLIGHT, `${why}; trying again in ${Math.ceil(retryAfterMs / 1000)} s`, {
    retryAfterMs,
  });
}
