/**
 * A polled record whose key expression gives nothing does not stall its source: it is dead-lettered with the reason
 * (`no-key`, permanent, the record kept for a replay once the key is fixed), the records after it are delivered, and
 * the cursor moves past it. Through the engine, a real nats-server and the Magento emulator.
 */
import { afterEach, expect, it } from 'vitest';
import { startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import type { MagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { waitFor } from './helpers/runtime-harness.js';
import { MAGENTO_CONNECTION, magentoEnv } from './helpers/vendor-connections.js';
import { countBy, startVendorEngine } from './helpers/vendor-engine.js';
import type { VendorEngine } from './helpers/vendor-engine.js';

let h: VendorEngine | undefined;
let magento: MagentoEmulator | undefined;
afterEach(async () => {
  await h?.dispose();
  await magento?.stop();
  h = magento = undefined;
});

it('dead-letters a polled order without a key with the reason, delivers the rest and moves the cursor on', async () => {
  magento = await startMagentoEmulator();
  const order = (id: number, stamp: string) => ({
    entity_id: id,
    increment_id: `0000${id}`,
    status: 'processing',
    updated_at: stamp,
  });
  magento.state.orders.set(3001, order(3001, '2026-12-01 10:00:00'));
  // An order whose key field is missing (a store extension that blanks it): the key expression gives nothing.
  const { increment_id: _dropped, ...keyless } = order(3002, '2026-12-01 10:00:01');
  magento.state.orders.set(3002, keyless);
  magento.state.orders.set(3003, order(3003, '2026-12-01 10:00:02'));
  // One whose key holds a line break, which an event header cannot carry: before, its publish threw on every poll and
  // the cursor never moved past it.
  magento.state.orders.set(3004, { ...order(3004, '2026-12-01 10:00:03'), increment_id: '0000\n3004' });
  // One whose key is over 64 KiB, more headers than JetStream takes: before, its publish was refused on every poll
  // and the cursor never moved past it. (The engine refuses keys over 32 KiB.)
  magento.state.orders.set(3005, { ...order(3005, '2026-12-01 10:00:04'), increment_id: 'k'.repeat(70_000) });
  h = await startVendorEngine(
    {
      'connections/magento.yaml': MAGENTO_CONNECTION,
      'orders.yaml': `apiVersion: junction/v1
kind: Integration
name: magento-orders
source:
  schedule:
    connection: magento
    operation: orders.changes
    params: { since: $cursor, page_size: 100 }
    every: 150ms
    cursor: updated_at
    initial_cursor: "2026-11-30 00:00:00"
key: increment_id
when: entity_id >= 3001
steps:
  - id: write
    connection: target
    operation: post
    params: { path: /orders }
    body: '{ "id": $string(entity_id), "increment_id": increment_id }'
owns: [{ connection: target, object: resource, fields: ["*"] }]
`,
    },
    magentoEnv(magento),
  );
  await waitFor(() => h!.received('orders').length >= 2, 'the keyed orders delivered');
  const polls = () => magento!.requests.filter((r) => r.path.endsWith('/V1/orders'));
  const after = polls().length;
  await waitFor(() => polls().length >= after + 2, 'two more polls');

  // Sorted: the two keys sit on different partitions, so they may arrive in either order.
  expect([...countBy(h.received('orders'), 'id').entries()].sort()).toEqual([
    ['3001', 1],
    ['3003', 1],
  ]);
  const dead = await h.engine.deadLetters.list({ integration: 'magento-orders' });
  expect(dead).toHaveLength(3);
  expect(dead.find((d) => (d.event as { entity_id: number }).entity_id === 3005)?.error).toEqual({
    code: 'no-key',
    message: expect.stringMatching(
      /^the key expression `increment_id` gave a value with more than 32768 bytes \(70000\), which an event's headers cannot carry: "k{100}": the record was not stored/,
    ),
  });
  expect(dead.find((d) => (d.event as { entity_id: number }).entity_id === 3004)?.error).toEqual({
    code: 'no-key',
    message:
      'the key expression `increment_id` gave a value with a line break (CR or LF), which an event\'s headers cannot carry: "0000\\n3004": the record was not stored as an event; fix the key expression (or the record) and replay it',
  });
  expect(dead.find((d) => (d.event as { entity_id: number }).entity_id === 3002)).toMatchObject({
    integration: 'magento-orders',
    key: '',
    event: keyless,
    reason: 'permanent',
    status: 'open',
    error: {
      code: 'no-key',
      message:
        'the key expression `increment_id` gave no scalar value for this event: the record was not stored as an event; fix the key expression (or the record) and replay it',
    },
  });
  // The cursor moved past them: later polls ask from the last order's second less Magento's 10 s late-commit window,
  // and the orders they read again there are recognised, not dead-lettered again (below).
  expect(polls().at(-1)!.query['searchCriteria[filter_groups][0][filters][0][value]']).toBe('2026-12-01 09:59:54');
  // And each is dead-lettered once, not on every poll that sees it again.
  expect(await h.engine.deadLetters.list({ integration: 'magento-orders' })).toHaveLength(3);
});
