/**
 * Fault-matrix case 23: a 3-node NATS cluster loses a node mid-run. Three local nats-server processes (routes on
 * random ports, each with its own store) carry the events stream, its consumers and every KV bucket at replicas 3;
 * the engine gets all three URLs (comma-separated, as `--nats` takes them). Under traffic, the node leading the
 * most partition consumers (preferably also the events stream) is killed with SIGKILL and never comes back. The oracle:
 * every event answered 202 is written once,
 * nothing is dead-lettered, processing goes on with two nodes, and the consumers end with nothing pending.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { startEngine } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { EVENTS_STREAM, consumerName } from '../../engine/runtime/broker/subjects.js';
import { startTestNatsCluster } from '../helpers/nats-cluster.js';
import type { TestNatsCluster } from '../helpers/nats-cluster.js';
import { startFakeTarget } from './helpers/fake-target.js';
import type { FakeTarget } from './helpers/fake-target.js';
import { httpTestInvoker } from './helpers/http-invoker.js';
import { TEST_TUNING, expectDrained, testLogger, waitFor } from './helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';
import { startWebhookSender } from './helpers/webhook-sender.js';
import type { WebhookSender } from './helpers/webhook-sender.js';

let cluster: TestNatsCluster | undefined;
let target: FakeTarget | undefined;
let engine: Engine | undefined;
let sender: WebhookSender | undefined;
afterEach(async () => {
  sender?.stop();
  await engine?.stop().catch(() => undefined);
  await target?.stop();
  await cluster?.dispose();
  cluster = target = engine = sender = undefined;
});

/** Replica count and leader of a stream, read through the given servers. */
async function streamPlacement(
  urls: string[],
  stream: string,
): Promise<{ replicas: number; leader?: string; peers: string[] }> {
  const nc = await connect({ servers: urls, noAsyncTraces: true, timeout: 5_000 });
  try {
    const info = await (await jetstreamManager(nc, { timeout: 5_000 })).streams.info(stream);
    return {
      replicas: info.config.num_replicas,
      leader: info.cluster?.leader,
      peers: (info.cluster?.replicas ?? []).map((r) => r.name),
    };
  } finally {
    await nc.close();
  }
}

/** Leader and follower count of each partition consumer of `orders`. */
async function consumerLeaders(urls: string[]): Promise<Map<number, { leader?: string; replicas: number }>> {
  const nc = await connect({ servers: urls, noAsyncTraces: true, timeout: 5_000 });
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5_000 });
    const leaders = new Map<number, { leader?: string; replicas: number }>();
    for (let p = 0; p < TEST_TUNING.partitions!; p++) {
      const info = await jsm.consumers.info(EVENTS_STREAM, consumerName('orders', p));
      leaders.set(p, { leader: info.cluster?.leader, replicas: info.cluster?.replicas?.length ?? 0 });
    }
    return leaders;
  } finally {
    await nc.close();
  }
}

/** The node leading the most partition consumers; ties go to `streamLeader`. */
async function busiestLeader(urls: string[], streamLeader: string): Promise<string> {
  const counts = new Map<string, number>();
  for (const { leader } of (await consumerLeaders(urls)).values())
    if (leader) counts.set(leader, (counts.get(leader) ?? 0) + 1);
  const most = Math.max(0, ...counts.values());
  return (counts.get(streamLeader) ?? 0) === most ? streamLeader : [...counts].find(([, n]) => n === most)![0];
}

it('fault 23: a 3-node cluster at R3 loses the node leading its consumers mid-run: no loss, no duplicate writes, processing continues', async () => {
  cluster = await startTestNatsCluster(3);
  target = await startFakeTarget();
  // A slightly slow target keeps events in flight when the node dies.
  target.fault = () => ({ delayMs: 20 });
  // The retry budget (about 16-33 s) must outlast the broker's recovery (a leader election takes seconds): KV
  // failures while the cluster re-elects are retried, and those attempts count against the event's budget.
  const specSet = compileRuntimeSpecs(target.url, [integrationYaml({ maxAttempts: 20, initial: '100ms', max: '2s' })]);
  engine = await startEngine({
    specSet,
    invoker: httpTestInvoker,
    natsUrl: cluster.urls,
    natsOptions: { pingInterval: 1_000, maxPingOut: 2, timeout: 2_000 },
    port: 0,
    host: '127.0.0.1',
    tuning: { ...TEST_TUNING, replicas: 3, publishTimeoutMs: 3_000 },
    logger: testLogger(),
  });
  const e = engine;

  // Everything the engine provisioned is replicated on all three nodes.
  const urls = cluster.nodes.map((n) => n.url);
  const events = await streamPlacement(urls, EVENTS_STREAM);
  expect(events.replicas).toBe(3);
  expect(events.peers).toHaveLength(2);
  for (const bucket of Object.values(BUCKET_NAMES))
    expect((await streamPlacement(urls, `KV_${bucket}`)).replicas, bucket).toBe(3);
  for (const leader of (await consumerLeaders(urls)).values()) expect(leader.replicas).toBe(2);

  const total = 200;
  sender = startWebhookSender(
    () => `${e.url}/hooks/orders`,
    Array.from({ length: total }, (_, i) => i + 1),
    { concurrency: 2, pauseMs: 30 },
  );
  await waitFor(
    () => sender!.accepted.size >= 50 && target!.records.size >= 30,
    'traffic flowing before the node dies',
    30_000,
  );

  // Kill the node that leads the most partition consumers (ties: the one leading the events stream). The two left
  // must elect new leaders for those consumers, and the engine must find them and carry on.
  const victim = cluster.node(await busiestLeader(urls, events.leader!));
  await victim.kill();
  const deliveredAtKill = target.records.size;

  // Processing continues on the survivors: new events are delivered after the kill. The waits are long on purpose:
  // a partition whose consumer leader died resumes only when the client's pull notices missed heartbeats (two idle
  // heartbeats of the pull's `expires`, 30 s by default), then re-pulls from the new leader.
  await waitFor(
    () => target!.records.size >= deliveredAtKill + 50,
    () => `delivery continues after the kill (${target!.records.size})`,
    120_000,
  );
  await waitFor(
    () => sender!.accepted.size === total,
    () => `every event accepted (${sender!.accepted.size}/${total})`,
    120_000,
  );
  await sender.done;
  const missing = () => [...sender!.accepted].filter((id) => !target!.records.has(String(id)));
  await waitFor(
    () => missing().length === 0,
    () => `every accepted event delivered; missing ${missing().join(',')}`,
    120_000,
  );

  // ...with every leader among the survivors, and nothing left pending.
  const survivors = cluster.runningUrls();
  expect(survivors).toHaveLength(2);
  const after = await streamPlacement(survivors, EVENTS_STREAM);
  expect(after.leader).toBeDefined();
  expect(after.leader).not.toBe(victim.name);
  for (const { leader } of (await consumerLeaders(survivors)).values()) expect(leader).not.toBe(victim.name);
  await expectDrained(survivors[0], 30_000);

  expect(target.records.size).toBe(total);
  const notOnce = [...target.effectiveWrites].filter(([, n]) => n !== 1);
  expect(notOnce, 'keys with more or less than one effective write').toEqual([]);
  expect(await e.deadLetters.list()).toEqual([]);
  expect((await fetch(`${e.url}/readyz`)).status).toBe(200);
}, 300_000);
