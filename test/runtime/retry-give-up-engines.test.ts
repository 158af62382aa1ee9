/**
 * `junction retry give-up` while an attempt of the same event is under way in another engine (two engine processes,
 * one nats-server, a target that holds the attempt's request). The give-up must neither lose the event nor let it be
 * delivered after it was given up without saying so: it waits for the attempt under way (its engine's attempt mark,
 * worker/attempt-marks.ts); delivered by that attempt, nothing is dead-lettered and the key's next event follows in
 * order; when that engine stops answering past the mark's lease (frozen, here SIGSTOP), the give-up goes ahead, and a
 * delivery that lands after all resolves the dead letter with why, so nobody replays it.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EVENTS_STREAM, retryConsumerName } from '../../engine/runtime/broker/subjects.js';
import { junction } from '../ops/cli-in-process.js';
import { TEST_TUNING, expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';
import { killAll, spawnWorker } from './helpers/worker-processes.js';
import type { WorkerProcess } from './helpers/worker-processes.js';

let h: RuntimeHarness;
let workers: WorkerProcess[];

// An ack wait long enough that an engine stopped for a few seconds keeps its attempt mark (two ack waits).
const tuning = { ...TEST_TUNING, ackWaitMs: 12_000, partitionLeaseTtlMs: 30_000 };

beforeAll(async () => {
  const integration = integrationYaml({ maxAttempts: 10, initial: '300ms', max: '300ms' });
  h = await startRuntimeHarness({ integrations: [integration], tuning, engine: { roles: { workers: false } } });
  const config = { natsUrl: h.nats.url, targetUrl: h.target.url, integrations: [integration], tuning, timeout: '60s' };
  workers = await Promise.all([0, 1].map(() => spawnWorker(config)));
}, 120_000);

afterAll(async () => {
  for (const w of workers ?? []) w.child.kill('SIGCONT');
  await killAll();
  await h?.dispose();
});

const writes = (key: string) =>
  h.target.requests.filter((r) => r.key === key && r.method === 'PUT' && r.body).map((r) => r.body!.seq);

/** The retry consumer's tickets not handed out yet, and its deliveries so far, as the broker counts them. */
async function retryConsumer(): Promise<{ pending: number; delivered: number }> {
  const nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
  try {
    const info = await (await jetstreamManager(nc)).consumers.info(EVENTS_STREAM, retryConsumerName('orders'));
    return { pending: info.num_pending, delivered: info.delivered.consumer_seq };
  } finally {
    await nc.close();
  }
}

/**
 * Event 1 of `key` fails once (parked, retried after 300 ms), its retry is held at the target; event 2 queues behind.
 * Resolves with the engine holding the attempt (stopped with SIGSTOP, its pulls run out, so the other engine takes
 * the give-up) and the gate that lets the held request commit.
 */
async function attemptHeldInAStoppedEngine(key: string) {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  h.target.fault = (req) => {
    if (req.key !== key || req.body?.seq !== 1) return undefined;
    return req.attempt === 1 ? { respond: { status: 503 } } : { until: gate };
  };
  for (const seq of [1, 2])
    expect((await h.post('orders', { id: Number(key), seq, status: `s${seq}` })).status).toBe(202);
  await waitFor(() => writes(key).length === 2, `the retry of event 1 of key ${key} at the target`);
  const holder = workers.find((w) => w.pid === h.target.requests.findLast((r) => r.key === key)!.workerPid)!;
  expect(holder).toBeDefined();
  holder.child.kill('SIGSTOP');
  // Its pull of the tickets runs out (pulls expire after 5 s, consumer-pool.ts): the give-up's ticket can only go to
  // the other engine. A wait for the broker's expiry, not a measurement.
  await new Promise((resolve) => setTimeout(resolve, 6_000));
  return { holder, open };
}

it('waits for the attempt under way in another engine: delivered by it, nothing is dead-lettered and event 2 follows in order', async () => {
  const { holder, open } = await attemptHeldInAStoppedEngine('51');
  const before = (await retryConsumer()).delivered;
  const givingUp = junction('retry', 'give-up', 'orders', '51', '--reason', 'ERP record gone', '--nats', h.nats.url);
  // The running engine took the give-up's ticket (or, without the wait, gave up and delivered event 2 already).
  await waitFor(async () => {
    const c = await retryConsumer();
    return (c.pending === 0 && c.delivered > before) || h.target.committedOrder.get('51')?.length === 1;
  }, "the give-up's ticket taken by the running engine");
  holder.child.kill('SIGCONT');
  open();

  const given = await givingUp;

  expect(given.code).toBe(1);
  expect(given.stderr).toMatch(
    /^event [^ ]+ finished \(delivered\) by the attempt under way before it could be given up\n$/,
  );
  await waitFor(() => h.target.committedOrder.get('51')?.length === 2, 'event 2 of key 51 delivered');
  // Event 1 delivered once by the attempt that was under way, then event 2: in order, nothing dead-lettered.
  expect(h.target.committedOrder.get('51')).toEqual([1, 2]);
  expect(writes('51')).toEqual([1, 1, 2]);
  expect((await h.engine.deadLetters.list()).filter((d) => d.key === '51')).toEqual([]);
  await expectDrained(h.nats.url);
}, 120_000);

it('goes ahead once the engine under way stops answering past its mark; a delivery landing after all resolves the dead letter with why', async () => {
  const { holder, open } = await attemptHeldInAStoppedEngine('52');
  const given = await junction('retry', 'give-up', 'orders', '52', '--reason', 'ERP record gone', '--nats', h.nats.url);
  // The stopped engine's attempt mark holds two ack waits past its last renewal: the give-up waits that long.
  expect(given).toMatchObject({ code: 0, stderr: '' });
  expect(given.stdout).toMatch(
    new RegExp(
      `^an attempt of event \\S+ is under way in engine \\S+_${holder.pid}-\\w+ \\(its target has not answered ` +
        'yet\\): the give-up waits for it; if that attempt delivers the event, nothing is dead-lettered ' +
        '\\(`junction trace` shows how it ended\\)\\n$',
    ),
  );
  await waitFor(
    async () => (await h.engine.deadLetters.list()).some((d) => d.key === '52'),
    'event 1 of key 52 dead-lettered by the give-up',
    60_000,
  );
  const [letter] = (await h.engine.deadLetters.list()).filter((d) => d.key === '52');
  expect(letter).toMatchObject({ reason: 'operator-gave-up', status: 'open', event: { id: 52, seq: 1 } });
  await waitFor(() => h.target.committedOrder.get('52')?.length === 1, 'event 2 of key 52 delivered after the give-up');

  holder.child.kill('SIGCONT');
  open();

  await waitFor(
    async () => (await h.engine.deadLetters.get(letter.id))?.entry.status === 'resolved',
    'the dead letter resolved by the late delivery',
  );
  const { entry } = (await h.engine.deadLetters.get(letter.id))!;
  expect(entry.resolution).toEqual({
    by: expect.stringMatching(new RegExp(`^engine:[^ ]+_${holder.pid}-\\w+$`)),
    at: expect.any(String),
    reason:
      'delivered after all by the attempt that was under way when it was given up (its engine stopped answering ' +
      'past its attempt mark): the target has it; a replay would send it again',
  });
  // The late write landed after event 2: the limit of an engine frozen past its lease (docs/runtime.md).
  expect(h.target.committedOrder.get('52')).toEqual([2, 1]);
  await expectDrained(h.nats.url);
}, 180_000);
