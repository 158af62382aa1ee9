/**
 * Which engine pulls which partitions (control/partition-assignment.ts): the assignment every member computes alike,
 * a member's next step from the group's entry, and members on a real nats-server that join, die and leave while a
 * shared record checks that no partition is ever pulled by two members at once.
 */
import { Kvm } from '@nats-io/kv';
import type { KV } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { localClock } from '../../engine/runtime/control/broker-clock.js';
import {
  PARTITION_MEMBERS_KEY,
  PartitionMembership,
  assignPartitions,
  memberStep,
  readPartitionMembers,
} from '../../engine/runtime/control/partition-assignment.js';
import { knownDead } from '../../engine/runtime/control/machine-identity.js';
import type { MembersEntry, PartitionPuller } from '../../engine/runtime/control/partition-assignment.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { testLogger, waitFor } from './helpers/runtime-harness.js';

let nats: TestNatsServer | undefined;
const connections: NatsConnection[] = [];
const members: PartitionMembership[] = [];
afterEach(async () => {
  for (const m of members.splice(0)) await m.leave().catch(() => undefined);
  for (const nc of connections.splice(0)) await nc.close().catch(() => undefined);
  await nats?.dispose();
  nats = undefined;
});

const sizes = (a: Map<string, number[]>) => [...a.values()].map((ps) => ps.length);

it('every partition goes to one member, each member gets an even share, whatever order the members are listed in', () => {
  expect(Object.fromEntries(assignPartitions(4, ['only']))).toEqual({ only: [0, 1, 2, 3] });
  const three = assignPartitions(16, ['a', 'b', 'c']);
  expect(sizes(three).sort()).toEqual([5, 5, 6]);
  expect([...three.values()].flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, p) => p));
  expect(assignPartitions(16, ['c', 'a', 'b', 'a'])).toEqual(three);
  expect(sizes(assignPartitions(16, ['a', 'b']))).toEqual([8, 8]);
  expect(sizes(assignPartitions(16, ['a', 'b', 'c', 'd']))).toEqual([4, 4, 4, 4]);
  // More members than partitions: some get none.
  expect(sizes(assignPartitions(2, ['a', 'b', 'c'])).sort()).toEqual([0, 1, 1]);
  expect(assignPartitions(16, [])).toEqual(new Map());
});

it('a member of this machine whose process is gone is dead at once; one of another machine, or alive, is not', () => {
  const machine = 'boot-1/pid:[4026531836]';
  // Only process 4242 runs.
  const exists = (pid: number) => pid === 4242;
  // Same machine and namespace, no such process: dead.
  expect(knownDead('vm_1111-abc', machine, machine, exists)).toBe(true);
  // Alive, another machine or namespace, no identity on either side, or an id without a pid: not known.
  expect(knownDead('vm_4242-abc', machine, machine, exists)).toBe(false);
  expect(knownDead('vm_1111-abc', 'boot-2/pid:[4026531836]', machine, exists)).toBe(false);
  expect(knownDead('vm_1111-abc', undefined, machine, exists)).toBe(false);
  expect(knownDead('vm_1111-abc', machine, undefined, exists)).toBe(false);
  expect(knownDead('no-pid', machine, machine, exists)).toBe(false);
  // A restarted engine takes every partition its dead predecessor still claims, without waiting for `until`.
  const old: MembersEntry = {
    members: { 'vm_1111-abc': { until: 60_000, ttl: 60_000, pulling: [0, 1, 2, 3], machine } },
  };
  const step = memberStep(old, 'vm_2222-def', new Set(), 4, 1_000, (id, m) =>
    knownDead(id, m.machine, machine, exists),
  );
  expect(step).toEqual({ own: [0, 1, 2, 3], release: [], take: [0, 1, 2, 3], live: [] });
});

it('a member takes only the partitions of its share that no other live member claims, and gives up the rest', () => {
  const pulling = (ps: number[]) => new Set(ps);
  // Alone, with nothing written yet: every partition.
  expect(memberStep(undefined, 'b', pulling([]), 4, 1_000)).toEqual({
    own: [0, 1, 2, 3],
    release: [],
    take: [0, 1, 2, 3],
    live: [],
  });
  const own = assignPartitions(4, ['a', 'b']);
  // Joining while `a` pulls everything: its share, but nothing to take until `a` gives it up.
  const aAll: MembersEntry = { members: { a: { until: 2_000, ttl: 1_000, pulling: [0, 1, 2, 3] } } };
  expect(memberStep(aAll, 'b', pulling([]), 4, 1_000)).toEqual({
    own: own.get('b'),
    release: [],
    take: [],
    live: ['a'],
  });
  // `a` sees `b` joined: it gives up `b`'s share.
  const bJoined: MembersEntry = { members: { ...aAll.members, b: { until: 2_000, ttl: 1_000, pulling: [] } } };
  expect(memberStep(bJoined, 'a', pulling([0, 1, 2, 3]), 4, 1_000)).toMatchObject({
    own: own.get('a'),
    release: own.get('b'),
    take: [],
  });
  // `a` ran out (its `until` passed): `b` takes every partition, those `a` still claims too.
  expect(memberStep(aAll, 'b', pulling([]), 4, 2_000)).toEqual({
    own: [0, 1, 2, 3],
    release: [],
    take: [0, 1, 2, 3],
    live: [],
  });
  // `b` was paused past its TTL and `c` claimed partition 1 meanwhile: `b` stops pulling it, even if it is `b`'s.
  const cTook: MembersEntry = { members: { c: { until: 5_000, ttl: 1_000, pulling: [1] } } };
  expect(memberStep(cTook, 'b', pulling([0, 1, 2, 3]), 4, 3_000).release).toEqual(
    [0, 1, 2, 3].filter((p) => p === 1 || !assignPartitions(4, ['b', 'c']).get('b')!.includes(p)),
  );
});

/** Who pulls each partition now, across every member of the test; a second puller of one partition is a failure. */
class PullRecord {
  readonly pulledBy = new Map<number, string>();
  readonly overlaps: string[] = [];
  /** When (this machine's clock, which the test's members share as their lease clock) each take happened. */
  readonly takenAt = new Map<number, number>();

  puller(holder: string): PartitionPuller {
    const { pulledBy, overlaps, takenAt } = this;
    return {
      take(partitions: number[]) {
        for (const p of partitions) {
          const other = pulledBy.get(p);
          if (other !== undefined) overlaps.push(`${holder} took ${p} while ${other} pulled it`);
          pulledBy.set(p, holder);
          takenAt.set(p, Date.now());
        }
        return Promise.resolve();
      },
      release(partitions: number[]) {
        for (const p of partitions) if (pulledBy.get(p) === holder) pulledBy.delete(p);
        return Promise.resolve();
      },
    };
  }

  /** The partitions each holder pulls, by holder. */
  byHolder(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [p, h] of [...this.pulledBy].sort(([a], [b]) => a - b)) (out[h] ??= []).push(p);
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }

  /** A SIGKILLed engine pulls nothing, at once. */
  kill(holder: string): void {
    for (const [p, h] of this.pulledBy) if (h === holder) this.pulledBy.delete(p);
  }
}

async function control(url: string): Promise<{ kv: KV; nc: NatsConnection }> {
  const nc = await connect({ servers: url, noAsyncTraces: true, reconnectTimeWait: 100, timeout: 2_000 });
  connections.push(nc);
  return { kv: await new Kvm(nc).create('control_test', { history: 1 }), nc };
}

async function join(url: string, holder: string, record: PullRecord, ttlMs: number) {
  const { kv, nc } = await control(url);
  const membership = new PartitionMembership({
    control: kv,
    holder,
    clock: localClock,
    ttlMs,
    partitions: 16,
    puller: record.puller(holder),
    log: testLogger(),
  });
  members.push(membership);
  await membership.start();
  return { membership, nc, kv };
}

it('members that join one after another split the partitions evenly, never pulling one partition at once; a dead member’s partitions move once its claim ran out, a leaving member’s at once', async () => {
  nats = await startTestNatsServer();
  const record = new PullRecord();
  const ttlMs = 1_500;
  const expectShares = (holders: string[]) => {
    const want = Object.fromEntries(assignPartitions(16, holders));
    return waitFor(
      () => JSON.stringify(record.byHolder()) === JSON.stringify(want),
      () => `shares ${JSON.stringify(want)}, pulled ${JSON.stringify(record.byHolder())}`,
    );
  };

  // Alone: every partition once start() resolves, as an engine without the group.
  const a = await join(nats.url, 'engine-a', record, ttlMs);
  expect(record.byHolder()).toEqual({ 'engine-a': Array.from({ length: 16 }, (_, p) => p) });
  const b = await join(nats.url, 'engine-b', record, ttlMs);
  await expectShares(['engine-a', 'engine-b']);
  const c = await join(nats.url, 'engine-c', record, ttlMs);
  await expectShares(['engine-a', 'engine-b', 'engine-c']);
  // What status reads: every member live, with the partitions it pulls.
  const stored = await readPartitionMembers(a.kv, localClock);
  expect(stored.map(({ holder, pulling, live }) => ({ holder, pulling, live }))).toEqual(
    ['engine-a', 'engine-b', 'engine-c'].map((holder) => ({
      holder,
      pulling: assignPartitions(16, ['engine-a', 'engine-b', 'engine-c']).get(holder),
      live: true,
    })),
  );

  // `c` dies (SIGKILL: it pulls nothing at once, and never renews): its claim holds until its `until`.
  const cClaim = stored.find((m) => m.holder === 'engine-c')!;
  record.kill('engine-c');
  await c.nc.close();
  await expectShares(['engine-a', 'engine-b']);
  for (const p of cClaim.pulling) expect(record.takenAt.get(p)).toBeGreaterThan(cClaim.until);

  // `b` leaves (a graceful stop: the pool stopped pulling first): `a` takes everything without waiting for `b`'s
  // claim to run out.
  const bUntil = (await readPartitionMembers(a.kv, localClock)).find((m) => m.holder === 'engine-b')!.until;
  record.kill('engine-b');
  await b.membership.leave();
  await expectShares(['engine-a']);
  expect(
    Math.min(
      ...assignPartitions(16, ['engine-a', 'engine-b'])
        .get('engine-b')!
        .map((p) => record.takenAt.get(p)!),
    ),
  ).toBeLessThan(bUntil);
  expect(record.overlaps).toEqual([]);
  const entry = await a.kv.get(PARTITION_MEMBERS_KEY);
  expect(Object.keys(entry!.json<MembersEntry>().members)).toEqual(['engine-a']);
});
