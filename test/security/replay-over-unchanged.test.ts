/**
 * A replay must not write old data over a later event whose write was skipped because the target already held it
 * (`echo_suppressed`): that later event is the record's newest state as much as a delivered one.
 */
import { afterEach, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { twoWayPair } from '../runtime/helpers/runtime-specs.js';
import { openDeadLetter } from './helpers/open-dead-letter.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

it('refuses to replay v1 over a later v2 that left the record unchanged (echo-suppressed)', async () => {
  // A bidirectional pair, so a-to-b keeps the last body it wrote to each record and skips an unchanged write.
  h = await startRuntimeHarness({ integrations: twoWayPair() });
  await h.post('a-to-b', { id: 1, version: 0, name: 'Mug' });
  await waitFor(() => h!.target.records.get('b:1')?.name === 'Mug', 'v0 delivered');
  // v1 renames it and is refused; v2 names it back, which B holds already: nothing to write.
  h.target.fault = (req) => (req.body?.name === 'Cup' ? { respond: { status: 422 } } : undefined);
  await h.post('a-to-b', { id: 1, version: 1, name: 'Cup' });
  const v1 = await openDeadLetter(h, '1');
  await h.post('a-to-b', { id: 1, version: 2, name: 'Mug' });
  await expectDrained(h.nats.url);
  h.target.fault = undefined;
  const entry = (await h.engine.deadLetters.get(v1.id))!.entry;
  await waitFor(async () => (await h!.engine.actions.staleness(entry)) !== undefined, 'v2 seen as newer than v1');

  const refused = await rawRequest(`${h.engine.operatorUrl}/api/dlq/${v1.id}/replay`, { method: 'POST' });
  expect(refused.status).toBe(409);
  expect(refused.json).toMatchObject({ error: 'stale', newer: { deliveredAt: expect.any(String) } });
  await expectDrained(h.nats.url);
  expect(h.target.records.get('b:1')?.name).toBe('Mug');
  expect(h.target.requests.filter((r) => r.method === 'PUT').map((r) => r.body?.name)).toEqual(['Mug', 'Cup']);
});
