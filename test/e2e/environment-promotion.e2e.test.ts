/**
 * Sandbox -> production promotion: the same magento-ff specs, two environments (test/e2e/fixtures/environments),
 * two FinancialForce orgs whose records have different ids. Each engine runs with `--env` semantics (the wiring's
 * environment) against its own org; the invoice each org receives carries that org's ids, product ids come from
 * the org at run time (a `resolve` lookup by ProductCode), and a SKU the org does not have is dead-lettered with a
 * reason that names the lookup and the key.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { touch } from '../../connectors/magento/emulator/index.js';
import { startSeedSystems } from '../../connectors/seed-systems.js';
import type { SeedSystems } from '../../connectors/seed-systems.js';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { compiledSpecSet, createWiring } from '../../engine/cli/wiring.js';
import { startEngine } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { TEST_TUNING, testLogger, waitFor } from '../runtime/helpers/runtime-harness.js';

type Row = Record<string, unknown>;
const SPECS = fileURLToPath(new URL('../../specs/magento-ff', import.meta.url));
const ENVIRONMENTS = fileURLToPath(new URL('./fixtures/environments', import.meta.url));
const ORDER = fileURLToPath(new URL('../../specs/magento-ff/fixtures/order-1001.json', import.meta.url));

let dir: string;
let systems: SeedSystems;
let production: SalesforceEmulator;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'junction-envs-'));
  cpSync(SPECS, dir, { recursive: true, filter: (src) => !src.endsWith('.test.yaml') });
  cpSync(ENVIRONMENTS, join(dir, 'environments'), { recursive: true });
  systems = await startSeedSystems();
  production = await startSalesforceEmulator();
  renumberAsProduction(production);
}, 60_000);
afterAll(async () => {
  await systems?.stop();
  await production?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The production org: the same products and reference data as the sandbox, under ids of its own. */
function renumberAsProduction(org: SalesforceEmulator): void {
  const renumber = (sobject: string, pick: (r: Row) => boolean, Id: string) => {
    const row = org.records(sobject).find(pick)!;
    org.store.remove(sobject, String(row.Id));
    org.store.insert(sobject, { ...row, Id }, { seed: true });
  };
  renumber('Product2', (r) => r.ProductCode === 'MUG-1', '01t00000000P1MG');
  renumber('Product2', (r) => r.ProductCode === 'TEE-1', '01t00000000P1TE');
  renumber('Product2', (r) => r.ProductCode === 'CAP-1', '01t00000000P1CP');
  renumber('Product2', (r) => r.ProductCode === 'SHIPPING', '01t00000000P1SH');
  renumber('Product2', (r) => r.ProductCode === 'ADJUSTMENT', '01t00000000P1AD');
  renumber('c2g__codaAccountingCurrency__c', (r) => r.Name === 'USD', 'a0C00000000P1US');
  renumber('c2g__codaAccountingCurrency__c', (r) => r.Name === 'EUR', 'a0C00000000P1EU');
  renumber('c2g__codaTaxCode__c', (r) => r.Name === 'US-CA', 'a1Q00000000P1CA');
  renumber('c2g__codaTaxCode__c', (r) => r.Name === 'ZERO', 'a1Q00000000P1ZZ');
}

/** An engine on its own NATS with the specs compiled for `environment`. */
async function startIn(environment: string): Promise<{ engine: Engine; nats: TestNatsServer }> {
  const env = {
    ...systems.env,
    FF_SANDBOX_URL: systems.ff.url,
    FF_PRODUCTION_URL: production.url,
    JUNCTION_ALLOWED_PRIVATE_HOSTS: `${systems.env.JUNCTION_ALLOWED_PRIVATE_HOSTS},${new URL(production.url).host}`,
  };
  const wiring = createWiring({ env, environment });
  const nats = await startTestNatsServer();
  const engine = await startEngine({
    specSet: await compiledSpecSet(wiring, dir),
    invoker: wiring.invokerFactory,
    natsUrl: nats.url,
    env,
    port: 0,
    host: '127.0.0.1',
    tuning: TEST_TUNING,
    logger: testLogger(),
  });
  return { engine, nats };
}

/** Saves a customer or order in the Magento store now, as Magento does; the flows' polls find it. */
function save(record: Row): void {
  const { customers, orders } = systems.magento.state;
  const saved = touch({ ...record });
  if ('entity_id' in saved) orders.set(Number(saved.entity_id), saved);
  else customers.set(Number(saved.id), saved);
}

/** Customer 42 and order 1001 (plus `extra` orders) through the engine in `environment`; its FF org's invoice. */
async function promote(environment: string, org: SalesforceEmulator, extra: Row[] = []) {
  const { engine, nats } = await startIn(environment);
  try {
    save(systems.magento.state.customers.get(42)!);
    save(JSON.parse(readFileSync(ORDER, 'utf8')) as Row);
    for (const o of extra) save(o);
    let open: unknown[] = [];
    await waitFor(
      async () =>
        org.records('c2g__codaInvoiceLineItem__c').length === 4 ||
        (open = (await engine.deadLetters.list()).filter(
          (d) => d.integration !== 'magento-orders-to-ff-invoices' || d.key === '1001',
        )).length > 0,
      `the ${environment} invoice lines`,
    );
    expect(open).toEqual([]);
    let deadLetters: Awaited<ReturnType<Engine['deadLetters']['list']>> = [];
    await waitFor(async () => (deadLetters = await engine.deadLetters.list()).length === extra.length, 'dead letters');
    const [invoice] = org.records('c2g__codaInvoice__c');
    const lines = org.records('c2g__codaInvoiceLineItem__c');
    return { invoice, lines, deadLetters };
  } finally {
    await engine.stop();
    await nats.dispose();
  }
}

/** Salesforce ids compare by their 15-character form (the org stores 18). */
const id15 = (id: unknown) => (id === undefined || id === null ? undefined : String(id).slice(0, 15));
const lineIds = (lines: Row[]) =>
  lines
    .map((l) => [l.Magento_Order_Item_Id__c, ...[l.c2g__Product__c, l.c2g__TaxCode1__c].map(id15)])
    .sort((a, b) => String(a[0]).localeCompare(String(b[0])));

it('the same specs write each org its own ids: per-environment lookups and products resolved from the org', async () => {
  const sandboxProducts = Object.fromEntries(
    systems.ff.records('Product2').map((p) => [p.ProductCode, String(p.Id).slice(0, 15)]),
  );
  const sandbox = await promote('sandbox', systems.ff);
  expect(id15(sandbox.invoice.c2g__InvoiceCurrency__c)).toBe('a0C000000000USD');
  expect(lineIds(sandbox.lines)).toEqual([
    ['1001-shipping', '01t000000000SHP', undefined],
    ['10011', sandboxProducts['MUG-1'], 'a1Q000000000CA1'],
    ['10012', sandboxProducts['TEE-1'], 'a1Q000000000CA1'],
    ['10014', sandboxProducts['CAP-1'], 'a1Q000000000CA1'],
  ]);

  // Production: a SKU its org does not sell is refused with the lookup, the key and the fix.
  const lamp = {
    entity_id: 1002,
    increment_id: '00001002',
    state: 'complete',
    created_at: '2026-11-21 10:00:00',
    updated_at: '2026-11-21 10:00:00',
    customer_id: 42,
    customer_firstname: 'Ada',
    customer_lastname: 'Lovelace',
    order_currency_code: 'USD',
    discount_amount: 0,
    shipping_amount: 0,
    items: [{ item_id: 10021, sku: 'LAMP-9', name: 'Desk Lamp', qty_ordered: 1, price: 40, tax_amount: 0 }],
    extension_attributes: { applied_taxes: [] },
  };
  const prod = await promote('production', production, [lamp]);
  expect(id15(prod.invoice.c2g__InvoiceCurrency__c)).toBe('a0C00000000P1US');
  expect(lineIds(prod.lines)).toEqual([
    ['1001-shipping', '01t00000000P1SH', undefined],
    ['10011', '01t00000000P1MG', 'a1Q00000000P1CA'],
    ['10012', '01t00000000P1TE', 'a1Q00000000P1CA'],
    ['10014', '01t00000000P1CP', 'a1Q00000000P1CA'],
  ]);
  expect(prod.deadLetters.map((d) => ({ step: d.step, reason: d.reason, error: d.error }))).toEqual([
    {
      step: 'lines',
      reason: 'permanent',
      error: {
        code: 'lookup-unresolved',
        message:
          'lookup ff-products: no record for key "LAMP-9" through ff query; create the record in the target (or give the lookup a `default`), then replay',
      },
    },
  ]);
  // Nothing of production reached the sandbox org.
  expect(systems.ff.records('c2g__codaInvoice__c')).toHaveLength(1);
}, 90_000);
