/**
 * An `on_error` rule whose match fails to evaluate on a failure (a JSONata error: `$number` of a text) makes the
 * event's processing fail, as a crash does. A call leased for that attempt (a create with a `find`) must be handed
 * back all the same: a lease left held was renewed by the engine's heartbeat for as long as it had events in flight,
 * and every later delivery of the event found its own call "in flight" and waited, so the event
 * ended but by its delivery limit: its retries never sent the create again, and neither did a replay of its dead
 * letter once the target was fixed. Handed back, each attempt looks the record up and sends the create.
 */
import { afterEach, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { FOUND_CREATE_STEP, integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

it('an on_error rule that fails to evaluate: the leased create is handed back, and the event ends in the DLQ', async () => {
  const steps = `${FOUND_CREATE_STEP}\non_error:\n  - { match: '$number(message) > 0', action: skip }`;
  h = await startRuntimeHarness({
    integrations: [integrationYaml({ steps, maxAttempts: 1 })],
    tuning: { crashDeliveries: 2 },
  });
  h.target.fault = (r) => (r.method === 'POST' ? { respond: { status: 500 } } : undefined);
  expect((await h.post('orders', { id: 1, seq: 1 })).status).toBe(202);
  await waitFor(
    async () => (await h!.engine.deadLetters.list()).length === 1,
    () => `the event dead-lettered (creates sent: ${h!.target.requests.filter((r) => r.method === 'POST').length})`,
    40_000,
  );
  const [entry] = await h.engine.deadLetters.list();
  expect(entry).toMatchObject({ integration: 'orders', key: '1', error: { code: 'delivery-limit' } });
  // Every attempt after the first looked the record up and sent the create once more (with the lease kept, none did:
  // each found its own call in flight). Three attempts with a budget of 1 + 2, fewer should the broker have
  // redelivered during one on a loaded machine.
  const creates = () => h!.target.requests.filter((r) => r.method === 'POST').length;
  const lookups = h.target.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/records')).length;
  const tried = creates();
  expect(tried).toBeGreaterThanOrEqual(2);
  expect(lookups).toBe(tried - 1);
  expect(h.target.records.size).toBe(0);

  // The target is fixed and the dead letter replayed: its attempt looks the record up and creates it, once.
  h.target.fault = undefined;
  const replay = await fetch(`${h.engine.operatorUrl}/api/dlq/${entry.id}/replay`, { method: 'POST' });
  expect(replay.status).toBe(202);
  await waitFor(
    () => h!.target.records.size === 1,
    () => `the replay delivered (creates sent: ${creates()})`,
    30_000,
  );
  expect(creates()).toBe(tried + 1);
  await expectDrained(h.nats.url);
}, 90_000);
