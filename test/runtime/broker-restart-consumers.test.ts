/**
 * Partition consumers whose state nats-server keeps in memory (the default) are gone after a broker restart: the
 * engine must create them again, and the new consumer of the work-queue stream starts at the oldest event still
 * stored. These cases SIGKILL the broker with events stored and one in flight, with the watchdog off, so only the
 * pool's check (after the reconnect, and at a pull's missed heartbeats) can bring the partitions back.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { EVENTS_STREAM, consumerName, retryConsumerName } from '../../engine/runtime/broker/subjects.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { DeliveryLedger } from '../../engine/runtime/stores/delivery-ledger.js';
import type { LedgerEntry } from '../../engine/runtime/stores/delivery-ledger.js';
import { TEST_TUNING, expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const PARTITIONS = TEST_TUNING.partitions!;
/** Watchdog off: it recreates consumers stuck on a phantom, and must not be what frees a partition here. */
const NO_WATCHDOG = { stuckConsumerCheckMs: 0 };
const SEQS = [1, 2, 3];
/**
 * The retry budget must outlast the broker's restart: KV writes failing while it is down are retried, and those
 * attempts count against the event's budget (at a load average of 42 one event was dead-lettered with the default 5).
 */
const SPEC = integrationYaml({ maxAttempts: 20, initial: '100ms', max: '2s' });

/** A logger that keeps every line at warn and above, to read what the engine said. */
function keptLogger(): { logger: Logger; lines: { level: number; msg: string; consumer?: string }[] } {
  const lines: { level: number; msg: string; consumer?: string }[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { logger, lines };
}

/** Posts seq 1..3 of each key in order (keys side by side); returns the stored event ids. */
async function postKeys(harness: RuntimeHarness, keys: number[]): Promise<string[]> {
  const ids: string[] = [];
  await Promise.all(
    keys.map(async (id) => {
      for (const seq of SEQS) {
        const r = await harness.post('orders', { id, seq, status: `s${seq}` });
        if (r.status !== 202) throw new Error(`event ${id}/${seq}: ${r.status} ${JSON.stringify(r.body)}`);
        ids.push(String(r.body.id));
      }
    }),
  );
  return ids;
}

async function ledgerEntries(natsUrl: string, ids: string[]): Promise<(string | undefined)[]> {
  const nc = await connect({ servers: natsUrl });
  try {
    const kv = await new Kvm(nc).open(BUCKET_NAMES.ledger);
    return await Promise.all(
      ids.map(async (id) => (await kv.get(DeliveryLedger.key('orders', `orders:${id}`)))?.json<LedgerEntry>().status),
    );
  } finally {
    await nc.close();
  }
}

/** Each key's three events written once each, in order; every event's ledger entry says delivered. */
async function expectEachOnceInOrder(harness: RuntimeHarness, keys: number[], ids: string[]): Promise<void> {
  for (const key of keys) {
    expect(harness.target.effectiveWrites.get(String(key)), `key ${key}`).toBe(SEQS.length);
    // A write repeated after the crash (its ledger entry lost with the broker) is not effective; order never goes back.
    const order = harness.target.committedOrder.get(String(key))!;
    expect(
      order.filter((seq, i) => seq !== order[i - 1]),
      `key ${key}: ${order.join(',')}`,
    ).toEqual(SEQS);
  }
  // The dead letters first: an entry shows its error.
  expect(await harness.engine.deadLetters.list()).toEqual([]);
  expect(await ledgerEntries(harness.nats.url, ids)).toEqual(ids.map(() => 'delivered'));
}

/** The consumers the broker has for the integration: partition ones in memory, the retry one on disk. */
async function consumerStorage(natsUrl: string): Promise<Record<string, boolean>> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const names = [
      ...Array.from({ length: PARTITIONS }, (_, p) => consumerName('orders', p)),
      retryConsumerName('orders'),
    ];
    const infos = await Promise.all(names.map((name) => jsm.consumers.info(EVENTS_STREAM, name)));
    return Object.fromEntries(infos.map((info) => [info.name, !!info.config.mem_storage]));
  } finally {
    await nc.close();
  }
}

const IN_MEMORY = {
  ...Object.fromEntries(Array.from({ length: PARTITIONS }, (_, p) => [consumerName('orders', p), true])),
  [retryConsumerName('orders')]: false,
};

/**
 * Holds key 1's first event at the target (so its partition's later events wait stored behind it) and slows the rest;
 * returns the release.
 */
function holdKeyOne(harness: RuntimeHarness): () => void {
  let release = () => undefined as void;
  const held = new Promise<void>((resolve) => (release = resolve));
  harness.target.fault = (r) => (r.key === '1' && r.body?.seq === 1 ? { until: held } : { delayMs: 30 });
  return release;
}

/** SIGKILLs the broker while key 1's first event is held at the target, restarts it, and lets the event finish. */
async function crashWithOneInFlight(harness: RuntimeHarness, engines: Engine[], release: () => void): Promise<void> {
  await waitFor(() => harness.target.requests.some((r) => r.key === '1'), "key 1's first event at the target");
  await harness.nats.kill();
  await harness.nats.restart();
  for (const engine of engines)
    await waitFor(
      () =>
        fetch(`${engine.url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ),
      'the engine connected to the restarted broker',
    );
  release();
}

it(
  'broker SIGKILLed with events stored and one in flight: the consumers are created again, each event written once, in order',
  { timeout: 90_000 },
  async () => {
    const kept = keptLogger();
    h = await startRuntimeHarness({
      integrations: [SPEC],
      tuning: NO_WATCHDOG,
      engine: { logger: kept.logger },
    });
    const harness = h;
    expect(await consumerStorage(harness.nats.url)).toEqual(IN_MEMORY);
    const release = holdKeyOne(harness);
    const keys = Array.from({ length: 12 }, (_, i) => i + 1);
    const ids = await postKeys(harness, keys);
    await crashWithOneInFlight(harness, [harness.engine], release);

    await waitFor(
      () => keys.every((k) => harness.target.effectiveWrites.get(String(k)) === SEQS.length),
      () => `every event written; have ${JSON.stringify(Object.fromEntries(harness.target.effectiveWrites))}`,
      40_000,
    );
    await expectDrained(harness.nats.url, 20_000, { streamEmpty: false });
    await expectEachOnceInOrder(harness, keys, ids);
    expect(await consumerStorage(harness.nats.url)).toEqual(IN_MEMORY);
    // Key 1's partition and every other was created again by the engine (the broker had none of them after the
    // restart); the retry consumer's state was on disk and came back with the broker.
    const recreated = kept.lines
      .filter((l) => l.msg.startsWith('consumer missing on the broker'))
      .map((l) => l.consumer);
    expect(new Set(recreated)).toEqual(
      new Set(Array.from({ length: PARTITIONS }, (_, p) => consumerName('orders', p))),
    );
  },
);

it(
  'two engines sharing the consumers both recreate them after a broker restart without errors, and both deliver',
  { timeout: 120_000 },
  async () => {
    const kept = keptLogger();
    h = await startRuntimeHarness({
      integrations: [SPEC],
      tuning: NO_WATCHDOG,
      engine: { logger: kept.logger },
    });
    const harness = h;
    const second = await harness.startEngine({ logger: kept.logger });
    const release = holdKeyOne(harness);
    const keys = Array.from({ length: 12 }, (_, i) => i + 1);
    const ids = await postKeys(harness, keys);
    await crashWithOneInFlight(harness, [harness.engine, second], release);

    // Events stored after the restart as well, until both engines have delivered some of them.
    const delivered = async (engine: Engine) =>
      (await engine.status()).integrations.find((i) => i.name === 'orders')!.counts.delivered;
    const before = [await delivered(harness.engine), await delivered(second)];
    const later: number[] = [];
    for (let round = 0; round < 10; round++) {
      const batch = Array.from({ length: 8 }, (_, i) => 100 + round * 8 + i);
      ids.push(...(await postKeys(harness, batch)));
      later.push(...batch);
      await waitFor(
        () => batch.every((k) => harness.target.effectiveWrites.get(String(k)) === SEQS.length),
        'the batch written',
        40_000,
      );
      if ((await delivered(harness.engine)) > before[0] && (await delivered(second)) > before[1]) break;
    }
    expect(await delivered(harness.engine)).toBeGreaterThan(before[0]);
    expect(await delivered(second)).toBeGreaterThan(before[1]);

    await waitFor(
      () => keys.every((k) => harness.target.effectiveWrites.get(String(k)) === SEQS.length),
      'every event before the crash written',
      40_000,
    );
    await expectDrained(harness.nats.url, 20_000, { streamEmpty: false });
    await expectEachOnceInOrder(harness, [...keys, ...later], ids);
    expect(await consumerStorage(harness.nats.url)).toEqual(IN_MEMORY);
    // Both engines found the consumers gone; whichever created one second found it there with the same settings.
    expect(kept.lines.filter((l) => l.level >= 50 && l.consumer !== undefined)).toEqual([]);
  },
);
