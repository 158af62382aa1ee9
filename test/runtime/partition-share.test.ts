/**
 * A worker of `junction run --workers N` delivers only its share of the partitions (consumer-pool.ts,
 * `PartitionShare`): with two engines pulling from the same partition, nats-server hands its events to them in turn,
 * and the one holding fewer events hands its partitions over to the other until that one holds nearly all of them
 * (docs/performance.md, "Workers 1 -> 2, session 17"). Two engines on one broker, shares 0/2 and 1/2: every event of an
 * even partition is delivered by the first, every event of an odd one by the second, in order per key.
 */
import pino from 'pino';
import { afterEach, expect, it } from 'vitest';
import { partitionOf } from '../../engine/runtime/broker/subjects.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { ownPartitions } from '../../engine/runtime/worker/consumer-pool.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { CREATE_STEP, integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** Events this engine delivered (its own registry: one per engine, though both run in this process). */
async function deliveredBy(engine: Engine): Promise<number> {
  const text = await engine.metrics.metrics();
  const line = /^junction_events_delivered_total\{integration="orders",outcome="delivered"\} (\d+)$/m.exec(text);
  return Number(line?.[1] ?? 0);
}

it('the partitions p with p mod N = i, every one without a share', () => {
  expect(ownPartitions(6)).toEqual([0, 1, 2, 3, 4, 5]);
  expect(ownPartitions(6, { index: 0, of: 2 })).toEqual([0, 2, 4]);
  expect(ownPartitions(6, { index: 1, of: 2 })).toEqual([1, 3, 5]);
  expect(ownPartitions(4, { index: 2, of: 3 })).toEqual([2]);
});

it('two engines with shares 0/2 and 1/2 each deliver every event of their own partitions, in order per key', async () => {
  // The harness's engine takes the webhooks and delivers the even partitions; a second one the odd partitions.
  h = await startRuntimeHarness({ integrations: [integrationYaml()], engine: { partitionShare: { index: 0, of: 2 } } });
  const odd = await h.startEngine({
    partitionShare: { index: 1, of: 2 },
    roles: { http: false, workers: true, sources: false },
  });
  const partitions = h.engine.partitions;
  expect(partitions).toBe(4);
  // Uneven on purpose: three keys in partition 0, one in partitions 1 and 2, none in 3; five events each, sent
  // interleaved. Taking turns event by event would split every partition's events between the two engines.
  const ids = Array.from({ length: 60 }, (_, i) => i + 1);
  const inPartition = (p: number, n: number) =>
    ids.filter((id) => partitionOf(String(id), partitions) === p).slice(0, n);
  const keys = [...inPartition(0, 3), ...inPartition(1, 1), ...inPartition(2, 1)];
  expect(keys).toHaveLength(5);
  for (let seq = 1; seq <= 5; seq++)
    for (const id of keys) expect((await h.post('orders', { id, seq })).status).toBe(202);
  await waitFor(
    () => h!.target.requests.length === 25,
    () => `25 writes (${h!.target.requests.length})`,
  );
  await expectDrained(h.nats.url);

  // Partitions 0 and 2 (four keys) by the first engine, partition 1 by the second.
  expect([await deliveredBy(h.engine), await deliveredBy(odd)]).toEqual([20, 5]);
  const bodies = h.target.requests.map((r) => r.body as { key: string; seq: number });
  for (const id of keys) expect(bodies.filter((b) => b.key === String(id)).map((b) => b.seq)).toEqual([1, 2, 3, 4, 5]);
});

it('a worker whose share has no partition (more workers than partitions) says so once, and the others deliver', async () => {
  const lines: { level: number; msg: string; partitions?: number; worker?: number; workers?: number }[] = [];
  // Two integrations: said once for the worker, not per integration.
  h = await startRuntimeHarness({
    integrations: [
      integrationYaml({ name: 'orders', owns: '  - { connection: target, object: record, fields: ["*"] }' }),
      integrationYaml({
        name: 'refunds',
        steps: CREATE_STEP,
        owns: '  - { connection: target, object: entry, fields: ["*"] }',
      }),
    ],
  });
  await h.startEngine({
    partitionShare: { index: 4, of: 5 },
    roles: { http: false, workers: true, sources: false },
    logger: pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) }),
  });
  expect(
    lines
      .filter((l) => l.workers !== undefined)
      .map(({ level, msg, partitions, worker, workers }) => ({ level, msg, partitions, worker, workers })),
  ).toEqual([
    {
      level: 40,
      msg:
        'more workers than partitions: this worker delivers nothing and only takes webhooks; run at most 4 workers ' +
        '(or give a new cluster more partitions)',
      partitions: 4,
      worker: 4,
      workers: 5,
    },
  ]);
  expect((await h.post('orders', { id: 1, seq: 1 })).status).toBe(202);
  await waitFor(
    () => h!.target.requests.length === 1,
    () => `1 write (${h!.target.requests.length})`,
  );
});
