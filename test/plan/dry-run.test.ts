/**
 * The dry run on the fixture specs: no secrets needed, a missing recorded response named with its fix, the request
 * that was built kept on the failure, lookup overrides and seeded cross-references.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createConnectorRegistry } from '../../connectors/index.js';
import { compileDirectory, createWiring } from '../../engine/cli/wiring.js';
import { dryRun } from '../../engine/plan/dry-run.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';

const DIR = fileURLToPath(new URL('./fixtures/specs', import.meta.url));
const connectors = createConnectorRegistry();
let specSet: CompiledSpecSet;
beforeAll(async () => {
  specSet = (await compileDirectory(createWiring(), DIR)).result.specSet!;
});

const mug = {
  sku: 'MUG-1',
  price: 12.499,
  active: true,
  stock: [
    { location: 'WH-1', qty: 40 },
    { location: 'WH-2', qty: 0 },
  ],
};

describe('dry run', () => {
  it('fails a call without a recorded response, naming the step, the element and the fix', async () => {
    const result = await dryRun(specSet, connectors, {
      integration: 'prices-to-shop',
      event: mug,
      responses: { price: { status: 200, body: {} }, stock: [{ status: 200, body: [] }] },
    });
    expect(result.outcome).toBe('failed');
    expect(result.failure).toMatchObject({
      step: 'stock',
      index: 1,
      code: 'no-recorded-response',
      action: 'dead_letter',
      message:
        'no recorded response for step stock[1]; add it under `responses.stock` (a list, one per element) or record one with `junction record`',
    });
    expect(result.requests.map((r) => `${r.step}${r.index ?? ''} ${r.method} ${r.path}`)).toEqual([
      'price PUT /rest/default/V1/products/MUG-1',
      'stock0 POST /rest/default/V1/inventory/source-items',
      'stock1 POST /rest/default/V1/inventory/source-items',
    ]);
    expect(result.failure?.request).toEqual(result.requests[2]);
  });

  it('applies lookup overrides and records each step body as sent', async () => {
    const result = await dryRun(specSet, connectors, {
      integration: 'prices-to-shop',
      event: { ...mug, stock: [{ location: 'WH-1', qty: 5 }] },
      lookups: { sources: { 'WH-1': 'overflow' } },
      responses: { price: { status: 200, body: {} }, stock: [{ status: 200, body: [] }] },
    });
    expect(result.outcome).toBe('delivered');
    expect(result.bodies).toEqual([
      { step: 'price', body: { sku: 'MUG-1', price: 12.5 } },
      { step: 'stock', index: 0, body: { sku: 'MUG-1', source_code: 'overflow', quantity: 5, status: 1 } },
    ]);
  });

  it('needs no credentials: OAuth gets a placeholder token, env references resolve to placeholders', async () => {
    const result = await dryRun(specSet, connectors, {
      integration: 'contacts-to-crm',
      event: { id: 1, firstname: 'A', lastname: 'B', email: 'a@b.c' },
      responses: { contact: { status: 204 } },
    });
    expect(result.outcome).toBe('delivered');
    expect(result.requests[0].path).toBe('/services/data/v60.0/sobjects/Contact/Magento_Customer_Id__c/1');
  });
});
