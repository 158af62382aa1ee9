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

/**
 * 12 orders and 12 invoices (distinct record keys). The target holds each request until `together` requests are at it
 * at once, then 100 ms more (a time for more to come), so how many go at once does not hang on how quickly the
 * events arrive: on a loaded machine the posts came too slowly for a fixed hold to overlap three. Should the engine
 * never send that many, the hold ends after 10 s, and the count says so (the tests' connection timeout is 30 s, so no
 * held request times out first).
 */
async function sendLoad(harness: RuntimeHarness, together: number): Promise<void> {
  let gathered!: () => void;
  const gate = new Promise<void>((resolve) => (gathered = resolve));
  const giveUp = setTimeout(gathered, 10_000);
  const held = gate.then(() => new Promise((resolve) => setTimeout(resolve, 100)));
  harness.target.fault = () => {
    if (harness.target.maxConcurrent >= together) gathered();
    return { until: held };
  };
  for (let i = 1; i <= 12; i++) {
    await harness.post('orders', { id: i, seq: 1, status: 'new' });
    await harness.post('invoices', { id: 100 + i, seq: 1, status: 'open' });
  }
  await waitFor(() => harness.target.records.size === 24, 'all 24 records written', 40_000);
  clearTimeout(giveUp);
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
  h = await startRuntimeHarness({ integrations, engine, connection: 'max_concurrency: 2\n', timeout: '30s' });
  await sendLoad(h, 2);
  expect(h.target.maxConcurrent).toBe(2);
  expect([...h.target.effectiveWrites.values()].every((writes) => writes === 1)).toBe(true);
  expect(await h.engine.deadLetters.list()).toEqual([]);
});

it('without the limit, the same load reaches the target more than twice at once', async () => {
  h = await startRuntimeHarness({ integrations, engine, timeout: '30s' });
  await sendLoad(h, 3);
  expect(h.target.maxConcurrent).toBeGreaterThan(2);
});
