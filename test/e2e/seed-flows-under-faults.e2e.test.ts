/**
 * Every Magento <-> FinancialForce and service app -> Salesforce seed flow through the engine (real nats-server,
 * the seed systems' emulators, the seed specs), with the vendor's answer lost after it committed (dropAfterCommit)
 * and with calls that time out after the vendor committed. None of the vendors honours Idempotency-Key, so what is
 * asserted is the emulators' own state: exactly one record per business object, every update applied, no dead letter.
 * The Magento-origin flows (polled) are in faults/magento-flows.e2e.test.ts.
 */
import { expect, it } from 'vitest';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { answerLate, answerLost } from './helpers/faults.js';
import { sharedSeedEngine } from './helpers/shared-seed-engine.js';

type Row = Record<string, unknown>;
const h = sharedSeedEngine(['magento-ff', 'service-app-salesforce'], {
  fastTimeouts: true,
  faulted: ({ magento, ff, salesforce }) => [magento, ff, salesforce],
});

const SF = '/services/data/v60.0/sobjects';
const count = (rows: Row[], field: string, value: unknown) => rows.filter((r) => r[field] === value).length;

it('service app ad -> Salesforce usage entry, created with the answer lost and corrected after a timeout', async () => {
  const { salesforce } = h.systems;
  salesforce.fail(answerLost(`${SF}/Usage_Entry__c/External_Id__c/ad-9001`));
  const ad = {
    id: 9001,
    customer_id: 42,
    contract_number: 'C-1001',
    product_type: 'banner',
    units: 3,
    created_at: '2026-12-01T08:00:00Z',
  };
  await h.post('ad-usage-to-salesforce', { event_id: 'evt-9001', type: 'ad.created', ad }, 'app');
  await waitFor(() => count(salesforce.records('Usage_Entry__c'), 'External_Id__c', 'ad-9001') === 1, 'usage ad-9001');
  salesforce.fail(answerLate(`${SF}/Usage_Entry__c/External_Id__c/ad-9001`));
  await h.post(
    'ad-usage-to-salesforce',
    { event_id: 'evt-9001-2', type: 'ad.changed', ad: { ...ad, product_type: 'video', units: 5 } },
    'app',
  );
  await waitFor(() => salesforce.records('Usage_Entry__c').some((u) => u.Units__c === 5), 'usage ad-9001 corrected');
  await expectDrained(h.nats.url);
  expect(salesforce.records('Usage_Entry__c').map((u) => [u.External_Id__c, u.Product_Type__c, u.Units__c])).toEqual([
    ['ad-9001', 'Video Pre-roll', 5],
  ]);
});
