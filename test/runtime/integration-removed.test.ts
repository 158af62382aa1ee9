/**
 * A hot reload that removes an integration while some of its events are still stored (a key parked by a retry, events
 * queued behind it) and one is dead-lettered: nothing is lost, the status says what is left and where, and adding the
 * integration back delivers the stored events in their order.
 */
import { afterEach, expect, it } from 'vitest';
import { brokerBacklog, expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const status = async () =>
  (await (await fetch(`${h!.engine.operatorUrl}/api/status`)).json()) as {
    warnings: string[];
    integrations: { name: string }[];
  };

it('an integration removed with events parked and dead-lettered: the status names them, re-adding delivers them', async () => {
  const orders = integrationYaml({
    maxAttempts: 100,
    initial: '50ms',
    max: '200ms',
    owns: '  - { connection: target, object: record, fields: ["*"] }',
  });
  const refunds = integrationYaml({
    name: 'refunds',
    steps: `  - id: create\n    connection: target\n    operation: records.create\n    body: '{ "key": "r" & $string(id) }'`,
    owns: '  - { connection: target, object: entry, fields: ["*"] }',
  });
  h = await startRuntimeHarness({ integrations: [orders, refunds] });
  const both = { ...h.specSet, commit: 'c1' };
  await h.engine.applySpecSet(both);
  let down = true;
  // Key 1's failures take 400 ms, so the swap below often finds an attempt under way whose retry comes due after the
  // pull is closed: what nats-server 2.9.10 counts twice (consumer-lag.ts).
  h.target.fault = (r) => {
    if (r.key === '9') return { respond: { status: 422, body: { message: 'unknown warehouse' } } };
    return down && r.key === '1' ? { respond: { status: 503 }, delayMs: 400 } : undefined;
  };
  await h.post('orders', { id: 9, seq: 1, status: 'new' });
  await h.post('orders', { id: 1, seq: 1, status: 'new' });
  await waitFor(() => h!.target.requests.some((r) => r.key === '1'), 'key 1 failed and parked');
  await h.post('orders', { id: 1, seq: 2, status: 'paid' });
  await h.post('orders', { id: 1, seq: 3, status: 'shipped' });
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'order 9 dead-lettered');
  // Seq 2 and 3 queued behind the parked key: the broker holds only its ticket.
  await waitFor(async () => {
    const { pending, ackPending } = await brokerBacklog(h!.nats.url);
    return pending + ackPending === 1;
  }, 'the later events of key 1 queued behind it');

  // The next commit drops `orders`; refunds goes on.
  // Key 1 stays down while `orders` is removed: an attempt fetched before the swap still finishes (consumer-pool's
  // stopIntegration), and it must fail and park again rather than deliver, or the count below would race it.
  await h.engine.applySpecSet(compileRuntimeSpecs(h.target.url, [refunds], { commit: 'c2' }));
  await h.post('refunds', { id: 5, seq: 1 });
  await waitFor(() => h!.target.records.has('r5'), 'refunds still delivered');
  const warning =
    'integration orders is not in the active spec set (commit c2) but still has 1 event not delivered (a parked ' +
    'key counts once, whatever is queued behind it) and 1 open dead letter: nothing is lost; add the integration ' +
    'back to deliver them, or resolve its dead letters';
  // Counted once, at once: the ticket is one stored message, also when nats-server 2.9.10 counts it both pending and
  // ack-pending (its pull closed while a retry was due, consumer-lag.ts).
  const seen = await status();
  expect(seen.integrations.map((i) => i.name)).toEqual(['refunds']);
  expect(seen.warnings).toEqual([warning]);
  expect(h.target.records.has('1')).toBe(false);

  down = false;
  await h.engine.applySpecSet({ ...both, commit: 'c3' });
  await waitFor(() => h!.target.records.get('1')?.status === 'shipped', 'key 1 delivered after re-adding orders');
  await expectDrained(h.nats.url);
  expect(h.target.committedOrder.get('1')).toEqual([1, 2, 3]);
  expect((await status()).warnings).toEqual([]);
});
