/**
 * Order per key within one poll round: a round lists a record's earlier and later change together, and the later one
 * must never be stored first, even when the earlier one's publish is slow (nats.js retries a publish that timed out,
 * after a backoff). Real engine, real nats-server, the fake target; only the timing of one publish is held.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { EventPublisher } from '../../engine/runtime/ingest/event-publisher.js';
import type { PublishRequest, PublishResult } from '../../engine/runtime/ingest/event-publisher.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await h?.dispose();
  h = undefined;
});

it("stores a key's changes of one poll round in the order listed, though the earlier one's publish is held", async () => {
  const publish = EventPublisher.prototype.publish;
  const settled = new Map<string, number>();
  const started = new Map<string, number>();
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  let held = false;
  vi.spyOn(EventPublisher.prototype, 'publish').mockImplementation(async function (
    this: EventPublisher,
    request: PublishRequest,
  ): Promise<PublishResult> {
    const key = request.identity.key;
    count(started, key);
    if (key === '7' && !held) {
      held = true;
      // As a retried publish: record 8 (listed between 7's two changes) is stored first, and 7's later change too
      // if it was sent meanwhile.
      await waitFor(() => settled.has('8') && (settled.get('7') === 1 || started.get('7') === 1), '8 stored');
    }
    try {
      return await publish.call(this, request);
    } finally {
      count(settled, key);
    }
  });
  const source =
    '{ schedule: { connection: target, operation: records.search, params: { after: "$cursor" }, every: 100ms, records: items, cursor: updated, initial_cursor: "0" } }';
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ name: 'poll', source, body: '{ "key": $string(id), "seq": seq }' })],
  });
  h.target.source = [
    { cursor: 1, record: { id: 7, updated: 1, seq: 1 } },
    { cursor: 2, record: { id: 8, updated: 2, seq: 1 } },
    { cursor: 3, record: { id: 7, updated: 3, seq: 2 } },
  ];
  await waitFor(() => h!.target.effectiveWrites.get('7') === 2 && h!.target.records.has('8'), 'both keys delivered');
  await expectDrained(h.nats.url);
  expect(h.target.committedOrder.get('7')).toEqual([1, 2]);
  expect(h.target.records.get('7')).toEqual({ key: '7', seq: 2 });
});
