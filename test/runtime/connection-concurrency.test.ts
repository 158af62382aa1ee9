/**
 * A connection's `max_concurrency` holds across integrations: two integrations of four partitions each (up to eight
 * events in flight) share one slow target limited to two requests at once. The target never sees a third, every
 * event still arrives once, and the same load without the limit does reach the target more than twice at once.
 */
import { afterEach, expect, it } from 'vitest';
import { createStepInvoker } from '../../engine/execute/step-invoker.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { CREATE_STEP, integrationYaml } from './helpers/runtime-specs.js';
import { targetConnectors } from './helpers/target-connector.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** 12 orders and 12 invoices (distinct record keys), each request held 100 ms by the target. */
async function sendLoad(harness: RuntimeHarness): Promise<void> {
  harness.target.fault = () => ({ delayMs: 100 });
  for (let i = 1; i <= 12; i++) {
    await harness.post('orders', { id: i, seq: 1, status: 'new' });
    await harness.post('invoices', { id: 100 + i, seq: 1, status: 'open' });
  }
  await waitFor(() => harness.target.records.size === 24, 'all 24 records written', 20_000);
  await expectDrained(harness.nats.url);
}

/** The engine's own HTTP stack (where the limit lives), not the runtime tests' stand-in invoker. */
const engine = {
  invoker: (specSet: CompiledSpecSet) =>
    createStepInvoker({
      specSet,
      connectors: targetConnectors(),
      security: { outbound: { allowPrivateNetwork: true, allowedHosts: [] } },
    }),
};

const integrations = [
  integrationYaml({ name: 'orders', owns: '  - { connection: target, object: record, fields: ["*"] }' }),
  integrationYaml({
    name: 'invoices',
    steps: CREATE_STEP,
    owns: '  - { connection: target, object: entry, fields: ["*"] }',
  }),
];

it('never sends the target more requests at once than max_concurrency, across integrations', async () => {
  h = await startRuntimeHarness({ integrations, engine, connection: 'max_concurrency: 2\n' });
  await sendLoad(h);
  expect(h.target.maxConcurrent).toBe(2);
  expect([...h.target.effectiveWrites.values()].every((writes) => writes === 1)).toBe(true);
  expect(await h.engine.deadLetters.list()).toEqual([]);
});

it('without the limit, the same load reaches the target more than twice at once', async () => {
  h = await startRuntimeHarness({ integrations, engine });
  await sendLoad(h);
  expect(h.target.maxConcurrent).toBeGreaterThan(2);
});
