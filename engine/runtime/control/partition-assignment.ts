/**
 * Which engine pulls which partitions, like a Kafka consumer group: every engine that runs workers is a member of
 * one group, written in the control bucket, and each partition is pulled by one member at a time. Without it every
 * engine pulled every partition, and nats-server (2.9.10 has no pinned consumers; they came in 2.11) serves the pulls
 * waiting on a consumer in turn, so a partition's events hopped between engines and bunched (docs/performance.md,
 * "Workers 1 -> 2, session 17").
 *
 * The group is one KV entry, `partition-members`: per member the partitions it pulls (`pulling`) and until when its
 * claim holds (`until`, by the broker's clock as the member estimates it: broker-clock.ts). Every change is a
 * compare-and-set of the whole entry, so claims are taken one after the other: a member claims a partition only in a
 * write made against an entry where no other live member claims it. Order:
 *  - every member computes the same assignment from the live members (`assignPartitions`);
 *  - a member stops pulling a partition that is no longer its own, and only then writes the entry without it;
 *  - a member writes a claim first, and pulls only after the write succeeded;
 *  - a member that dies keeps its claims until `until`: its partitions move once it ran out (the lease TTL).
 * So a partition changes hands only after its old owner stopped pulling it or ran out. Per-key order never depended
 * on it (a partition's `max_ack_pending` of 1 lets the broker hand out its next event only after the last one was
 * acked, whoever pulls), so a member paused past its TTL that pulls on beside the new owner for a moment costs turns,
 * not order; it gives the partition up at its next round, when it finds the other member's claim.
 */
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import type { LeaseClock } from './broker-clock.js';
import { casConflict } from '../broker/cas-conflict.js';
import { knownDead } from './machine-identity.js';

/** The control-bucket key of the group. */
export const PARTITION_MEMBERS_KEY = 'partition-members';

/** One member's entry: the partitions it pulls, and until when (broker epoch ms) its claim holds. */
interface MemberClaim {
  until: number;
  /** The TTL it renews with (status shows it). */
  ttl: number;
  pulling: number[];
  /** Its machine and pid namespace (machine-identity.ts): a member there whose process is gone is dead at once. */
  machine?: string;
}

export interface MembersEntry {
  members: Record<string, MemberClaim>;
  /** Who wrote it last: a member's watch skips its own writes. */
  by?: string;
}

/** A member as status shows it. */
export interface PartitionMember {
  holder: string;
  pulling: number[];
  /** Broker epoch ms its claim runs out unless renewed. */
  until: number;
}

/**
 * The partitions of each member: rendezvous hashing with bounded loads. Partition by partition, each member is
 * weighed by a hash of (member, partition) and the partition goes to the heaviest member that has fewer than
 * its even share already (floor(partitions / members), one more for the first `partitions mod members` to fill up).
 * Every member computes the same answer from the same member ids; an uneven share would give one engine more of the
 * work than the others. A member joining or leaving moves its own share and a few partitions besides (the bound
 * pushes some partitions past their heaviest member). Members are returned in id order, each with its partitions
 * in ascending order.
 */
export function assignPartitions(partitions: number, members: readonly string[]): Map<string, number[]> {
  const ids = [...new Set(members)].sort();
  const assigned = new Map<string, number[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return assigned;
  // Each member gets `base` partitions, and the first `extra` members to fill up one more.
  const base = Math.floor(partitions / ids.length);
  const extra = partitions % ids.length;
  let full = 0;
  for (let p = 0; p < partitions; p++) {
    let best: string | undefined;
    let bestWeight = -1;
    for (const id of ids) {
      const count = assigned.get(id)!.length;
      if (count > base || (count === base && full >= extra)) continue;
      const weight = rendezvousWeight(id, p);
      if (weight > bestWeight) [best, bestWeight] = [id, weight];
    }
    const own = assigned.get(best!)!;
    own.push(p);
    if (own.length === base + 1) full++;
  }
  return assigned;
}

/** FNV-1a over `<member>/<partition>`, then a final mix (fnv alone weighs members with a common prefix alike). */
function rendezvousWeight(member: string, partition: number): number {
  const text = `${member}/${partition}`;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** What one member does next, from the group's entry as it reads now. */
interface MemberStep {
  /** The partitions this member is given. */
  own: number[];
  /** Stop pulling these first: no longer its own, or claimed by another live member. */
  release: number[];
  /** Free and its own: claim them (write), then pull. */
  take: number[];
  /** The other members alive by `now`. */
  live: string[];
}

/**
 * The next step of member `me`, pulling `pulling` now, by the entry it read (undefined when there is none) and the
 * broker's time `now`. Pure: every member computes the same assignment from the same live members.
 */
export function memberStep(
  entry: MembersEntry | undefined,
  me: string,
  pulling: ReadonlySet<number>,
  partitions: number,
  now: number,
  dead: (holder: string, claim: MemberClaim) => boolean = () => false,
): MemberStep {
  const others = liveOthers(entry, me, now, dead);
  const claimed = new Set(others.flatMap(([, m]) => m.pulling));
  const own = assignPartitions(partitions, [me, ...others.map(([id]) => id)]).get(me)!;
  const ownSet = new Set(own);
  return {
    own,
    release: [...pulling].filter((p) => !ownSet.has(p) || claimed.has(p)).sort((a, b) => a - b),
    take: own.filter((p) => !pulling.has(p) && !claimed.has(p)),
    live: others.map(([id]) => id),
  };
}

/**
 * The other members alive by `now`: their claim holds, and they are not `dead` (a process known to be gone on this
 * machine, machine-identity.ts), whose claim is then dropped at once.
 */
function liveOthers(
  entry: MembersEntry | undefined,
  me: string,
  now: number,
  dead: (holder: string, claim: MemberClaim) => boolean,
): [string, MemberClaim][] {
  return Object.entries(entry?.members ?? {}).filter(([id, m]) => id !== me && m.until > now && !dead(id, m));
}

/** The group as stored (every member, live or not, with `live` by `clock`); empty when nobody wrote it yet. */
export async function readPartitionMembers(
  kv: KV,
  clock: LeaseClock,
): Promise<(PartitionMember & { live: boolean })[]> {
  const entry = await kv.get(PARTITION_MEMBERS_KEY);
  if (!entry || entry.operation !== 'PUT') return [];
  const now = clock.now();
  return Object.entries(entry.json<MembersEntry>().members ?? {})
    .map(([holder, m]) => ({ holder, pulling: m.pulling, until: m.until, live: m.until > now }))
    .sort((a, b) => a.holder.localeCompare(b.holder));
}

/** What the membership drives: the consumer pool's pulls of whole partitions (every integration's). */
export interface PartitionPuller {
  /** Starts pulling these partitions. */
  take(partitions: number[]): Promise<void>;
  /** Stops pulling these partitions; resolves once no pull of them is left (their in-flight events still finish). */
  release(partitions: number[]): Promise<void>;
}

interface MembershipOptions {
  control: KV;
  holder: string;
  clock: LeaseClock;
  /** How long a claim holds without renewal: a dead member's partitions move after this. */
  ttlMs: number;
  partitions: number;
  puller: PartitionPuller;
  log: Pick<Logger, 'warn' | 'info' | 'debug'>;
  /** This engine's machine and pid namespace (machine-identity.ts); undefined: dead members only run out. */
  machine?: string;
  /** Whether a process id exists here (tests replace it). */
  processExists?: (pid: number) => boolean;
}

/**
 * This engine's membership: rounds every third of the TTL (renewing its claim) and whenever the entry changes (a
 * member joined, left or released a partition), so a handover waits for no timer.
 */
export class PartitionMembership {
  /** The partitions this member pulls (claimed in the entry before they were pulled). */
  readonly #pulling = new Set<number>();
  /** Monotonic ms its claim runs out unless renewed: the TTL from before its last successful write was asked. */
  #validUntil = 0;
  /** Monotonic ms of its last successful write. */
  #wroteAt = -Infinity;
  #round: Promise<void> = Promise.resolve();
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #watch: { stop(): void } | undefined;
  #stopped = false;
  /** False once the engine began to stop: it renews its claims while it drains but takes no more partitions. */
  #taking = true;
  #saidNone = false;
  /** The dead members of this machine already logged (each set once). */
  readonly #saidGone = new Set<string>();

  constructor(private readonly o: MembershipOptions) {}

  /** The partitions this member pulls now. */
  pulling(): number[] {
    return [...this.#pulling].sort((a, b) => a - b);
  }

  /** Joins the group and takes what is free of its share (a lone engine: every partition) before resolving. */
  async start(): Promise<void> {
    await this.round();
    this.#timer = setInterval(() => void this.round(), this.o.ttlMs / 3);
    this.#timer.unref();
    void this.#follow();
  }

  /** One round now (rounds run one at a time; asked while one runs, one more follows it). */
  round(): Promise<void> {
    if (this.#stopped) return this.#round;
    if (this.#again) return this.#round;
    this.#again = true;
    this.#round = this.#round.then(async () => {
      this.#again = false;
      if (this.#stopped) return;
      try {
        await this.#step();
      } catch (error) {
        this.o.log.debug({ err: error }, 'partition membership round failed; tried again');
        await this.#fence();
      }
    });
    return this.#round;
  }

  /** The engine began to stop: take no more partitions (its drain would leave them unpulled until it left). */
  stopTaking(): void {
    this.#taking = false;
  }

  /** Leaves the group (a graceful stop, after the pool stopped pulling): the others take its partitions at once. */
  async leave(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#watch?.stop();
    await this.#round;
    this.#pulling.clear();
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const entry = await this.o.control.get(PARTITION_MEMBERS_KEY);
        if (!entry || entry.operation !== 'PUT') return;
        const doc = entry.json<MembersEntry>();
        if (!doc.members?.[this.o.holder]) return;
        delete doc.members[this.o.holder];
        await this.o.control.update(PARTITION_MEMBERS_KEY, JSON.stringify(doc), entry.revision);
        return;
      } catch (error) {
        if (!casConflict(error)) return; // the broker is gone: the claim runs out by itself
      }
    }
  }

  /** Rounds as soon as another member writes the entry. */
  async #follow(): Promise<void> {
    try {
      const watch = await this.o.control.watch({ key: PARTITION_MEMBERS_KEY });
      this.#watch = watch;
      if (this.#stopped) return watch.stop();
      for await (const change of watch) {
        if (this.#stopped) break;
        const writer = change.operation === 'PUT' ? change.json<{ by?: string }>().by : undefined;
        if (writer !== this.o.holder) void this.round();
      }
    } catch (error) {
      // The timer's rounds go on: a handover then waits for one.
      this.o.log.debug({ err: error }, 'partition membership watch ended');
    }
  }

  async #step(): Promise<void> {
    const { control, holder, clock, ttlMs, partitions, puller } = this.o;
    for (let attempt = 0; attempt < 5; attempt++) {
      const entry = await control.get(PARTITION_MEMBERS_KEY);
      const doc = entry && entry.operation === 'PUT' ? entry.json<MembersEntry>() : undefined;
      const now = clock.now();
      const dead = (id: string, m: MemberClaim) => knownDead(id, m.machine, this.o.machine, this.o.processExists);
      const step = memberStep(doc, holder, this.#pulling, partitions, now, dead);
      const gone = Object.keys(doc?.members ?? {}).filter((id) => id !== holder && dead(id, doc!.members[id]));
      if (gone.length > 0 && !this.#saidGone.has(gone.join())) {
        this.#saidGone.add(gone.join());
        this.o.log.info(
          { members: gone },
          'partition group members of this machine are gone (no such process): their partitions are free now',
        );
      }
      if (!this.#taking) step.take = [];
      if (step.release.length > 0) {
        // Stop pulling before the entry says so: whoever takes them over pulls alone.
        await puller.release(step.release);
        for (const p of step.release) this.#pulling.delete(p);
      }
      if (step.own.length === 0 && !this.#saidNone) {
        this.#saidNone = true;
        this.o.log.warn(
          { partitions, members: step.live.length + 1 },
          `more engines than partitions: this engine delivers nothing and only takes webhooks; run at most ${partitions} ` +
            'engines with workers (or give a new cluster more partitions)',
        );
      }
      const mine = doc?.members?.[holder];
      const renewDue = performance.now() - this.#wroteAt >= ttlMs / 3;
      const changed = step.release.length > 0 || step.take.length > 0 || !mine || gone.length > 0;
      if (!changed && !renewDue) return;
      const pulling = [...this.#pulling, ...step.take].sort((a, b) => a - b);
      const live = Object.fromEntries(liveOthers(doc, holder, now, dead));
      const claim: MemberClaim = {
        until: now + ttlMs,
        ttl: ttlMs,
        pulling,
        ...(this.o.machine ? { machine: this.o.machine } : {}),
      };
      const next = { by: holder, members: { ...live, [holder]: claim } };
      const askedAt = performance.now();
      try {
        if (entry) await control.update(PARTITION_MEMBERS_KEY, JSON.stringify(next), entry.revision);
        else await control.create(PARTITION_MEMBERS_KEY, JSON.stringify(next));
      } catch (error) {
        if (!casConflict(error)) throw error;
        continue; // another member wrote meanwhile: read again
      }
      this.#validUntil = askedAt + ttlMs;
      this.#wroteAt = askedAt;
      if (step.take.length > 0) {
        for (const p of step.take) this.#pulling.add(p);
        await puller.take(step.take);
        this.o.log.info({ partitions: step.take, members: step.live.length + 1 }, 'took partitions');
      }
      if (step.release.length > 0)
        this.o.log.info({ partitions: step.release, members: step.live.length + 1 }, 'handed partitions over');
      return;
    }
    // Five writes lost in a row to other members: the next round (a third of the TTL, or the next change) tries.
  }

  /**
   * A round failed (the broker unreachable): once this member's claim ran out by its own clock, the others may have
   * taken its partitions, so it stops pulling them until a round succeeds again.
   */
  async #fence(): Promise<void> {
    if (this.#pulling.size === 0 || performance.now() < this.#validUntil) return;
    const all = this.pulling();
    this.#pulling.clear();
    this.o.log.warn(
      { partitions: all },
      'partition claim ran out without renewal (broker unreachable); stopped pulling',
    );
    await this.o.puller.release(all).catch(() => undefined);
  }
}
