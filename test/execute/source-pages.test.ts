/**
 * A listing whose operation pages in cursor order (Magento's keyset pages on updated_at) is handed over page by page:
 * the next page is read only once the caller took the one before, so backfill, reconcile and xref match hold one
 * page of a large source, and a caller that stops early reads no further page.
 */
import { expect, it } from 'vitest';
import { createConnectorRegistry } from '../../connectors/index.js';
import { sourcePages } from '../../engine/execute/read-source.js';
import { createStepInvoker } from '../../engine/execute/step-invoker.js';
import type { Transport } from '../../engine/http/transport.js';
import { createMemoryState } from '../../engine/plan/memory-state.js';
import { customerListingSpecs } from '../ops/ops-specs.js';

const specSet = customerListingSpecs();
const integration = specSet.integrations.get('customers')!;
const CUSTOMERS = [1, 2, 3, 4, 5].map((id) => ({ id, updated_at: `2026-10-0${id} 00:00:00` }));

/** Magento's customer search by keyset, as change-operations.ts asks it; logs each page it answers. */
function shop(log: string[]): Transport {
  return async (request) => {
    const q = new URL(request.url).searchParams;
    const value = (group: number, filter: number) =>
      q.get(`searchCriteria[filter_groups][${group}][filters][${filter}][value]`);
    const [since, afterAt, afterId] = [value(0, 0) ?? '', value(1, 0), value(1, 1)];
    const items = CUSTOMERS.filter(
      (c) => c.updated_at >= since && (afterAt === null || c.updated_at > afterAt || c.id > Number(afterId)),
    ).slice(0, Number(q.get('searchCriteria[pageSize]')));
    log.push(`read ${items.map((c) => c.id).join(',') || 'nothing'}`);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ items }) };
  };
}

function pages(log: string[]) {
  const invoke = createStepInvoker({
    specSet,
    connectors: createConnectorRegistry(),
    env: { SHOP_TOKEN: 'token' },
    transport: shop(log),
  });
  const bindings = { lookups: specSet.lookups, xref: createMemoryState().xref };
  return sourcePages(integration, integration.read!.list!, '', invoke, bindings);
}

it('reads the next page of a listing only once the caller took the one before', async () => {
  expect(integration.read!.list!.pagesInCursorOrder).toBe(true);
  const log: string[] = [];
  for await (const page of pages(log)) log.push(`took ${page.map((p) => (p.record as { id: number }).id).join(',')}`);
  expect(log).toEqual([
    'read 1,2',
    'took 1,2',
    'read 3,4',
    'took 3,4',
    'read 5',
    'took 5',
    // The next listing asks from the last cursor (inclusive): only the boundary record, already taken, so it ends.
    'read 5',
  ]);
});

it('reads no further page once the caller stops', async () => {
  const log: string[] = [];
  for await (const page of pages(log)) {
    log.push(`took ${page.length}`);
    break;
  }
  expect(log).toEqual(['read 1,2', 'took 2']);
});
