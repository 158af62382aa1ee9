/** Fault 12: a runaway transform hits a guard and is dead-lettered; the worker and other integrations carry on. */
import { afterEach, expect, it } from 'vitest';
import { guardedReferenceEngine } from './helpers/guarded-engine.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

it('fault 12: a runaway transform is dead-lettered, the worker stays healthy, other integrations are unaffected', async () => {
  const runaway = integrationYaml({
    name: 'runaway',
    body: '($f := function($n){ $f($n + 1) }; $f(0))',
    owns: '  - { connection: target, object: record, fields: [seq] }',
  });
  const orders = integrationYaml({
    name: 'orders',
    body: '{ "key": $string(id), "status": status }',
    owns: '  - { connection: target, object: record, fields: [status] }',
  });
  // Stopped by the evaluation timeout (a tail call does not deepen the stack), made short here.
  h = await startRuntimeHarness({
    integrations: [runaway, orders],
    transforms: guardedReferenceEngine({ timeoutMs: 300, maxDepth: 300 }),
  });
  await h.post('runaway', { id: 1, seq: 1 });
  for (let id = 1; id <= 5; id++) await h.post('orders', { id: 100 + id, seq: 1, status: 'new' });
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'the runaway event dead-lettered');
  await waitFor(() => h!.target.records.size === 5, 'the other integration delivered');
  const [entry] = await h.engine.deadLetters.list();
  expect(entry).toMatchObject({
    integration: 'runaway',
    step: 'write',
    reason: 'permanent',
    attempts: 1,
    error: { code: 'transform-error' },
  });
  expect(entry.error.message).toMatch(/^JSONata (D1012|U10\d\d|RangeError)/);
  // The worker is still healthy: the same integration processes its next event.
  await h.post('orders', { id: 200, seq: 1, status: 'new' });
  await waitFor(() => h!.target.records.has('200'), 'still delivering');
  await expectDrained(h.nats.url);
  expect(await (await fetch(`${h.engine.url}/readyz`)).json()).toEqual({ ready: true });
});

it("the tests' guarded engine does not stop a trivial transform that waited behind other work as a runaway", async () => {
  // jsonata-js evaluates asynchronously and times the evaluation by the wall clock: other work on the event loop (an
  // engine busy with other events, a loaded machine) counts against it.
  const transform = guardedReferenceEngine().compile('{ "key": $string(id), "seq": seq }');
  const result = transform.evaluate({ id: 1, seq: 2 }, {});
  const busyUntil = Date.now() + 400;
  while (Date.now() < busyUntil); // other work holds the event loop for 400 ms
  await expect(result).resolves.toEqual({ key: '1', seq: 2 });
});
