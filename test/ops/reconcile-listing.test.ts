/**
 * `reconcile --all` compares each page of the listing as it comes, so a listing of any size is held one page at a
 * time; a sample is drawn over the whole listing first (reservoir sampling), so it holds the sample only.
 */
import { expect, it } from 'vitest';
import type { StepInvoker } from '../../engine/execute/execution-types.js';
import { runReconcile } from '../../engine/ops/reconcile/run-reconcile.js';
import { createConnectorRegistry } from '../../connectors/index.js';
import { customerListingSpecs } from './ops-specs.js';

const specSet = customerListingSpecs();

/** Listings of two customers from the cursor on (none with an e-mail, so each is skipped without a call). */
function listing(log: string[]): StepInvoker {
  return async (step, call) => {
    const since = String(call.params?.since ?? '');
    log.push(`list since ${since}`);
    const all = [1, 2, 3, 4, 5, 6].map((id) => ({ id, updated_at: `2026-10-0${id}` }));
    const items = all.filter((c) => c.updated_at >= since).slice(0, 2);
    return { result: items } as Awaited<ReturnType<StepInvoker>>;
  };
}

it('compares each page of an --all listing before it lists the next one', async () => {
  const log: string[] = [];
  const report = await runReconcile({
    specSet,
    integration: specSet.integrations.get('customers')!,
    invoke: listing(log),
    connectors: createConnectorRegistry(),
    env: {},
    xref: { get: async () => undefined } as never,
    onProgress: ({ checked }) => log.push(`compared ${checked}`),
  });
  expect(report).toMatchObject({ scope: 'all', listed: 6, checked: 6, counts: { skipped: 6 } });
  expect(log).toEqual([
    'list since ',
    'compared 1',
    'compared 2',
    // Each listing asks from the greatest cursor so far (inclusive): the boundary record is recognised, not compared.
    'list since 2026-10-02',
    'compared 3',
    'list since 2026-10-03',
    'compared 4',
    'list since 2026-10-04',
    'compared 5',
    'list since 2026-10-05',
    'compared 6',
    'list since 2026-10-06',
  ]);
});
