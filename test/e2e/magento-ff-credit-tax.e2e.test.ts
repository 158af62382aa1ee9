/**
 * FinancialForce's tax status and credit limit reaching the store, end to end through a real nats-server, the engine
 * and the vendor emulators: a Magento customer becomes an FF account, the store's admin makes the customer the admin
 * of a B2B company (Adobe Commerce), and finance sets the account's terms, Sales Tax Status Exempt and a credit limit
 * in FF. The account's change event moves the customer to the exempt group of its terms (a group whose tax class is
 * the store's exempt class) and sets the company's credit limit; a later change makes it taxable again and raises
 * the limit. Each change writes once; nothing is dead-lettered.
 */
import { afterEach, expect, it } from 'vitest';
import { addCompany, touch } from '../../connectors/magento/emulator/index.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { patchSalesforceRecord } from '../runtime/helpers/vendor-engine.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

it('an FF account made tax exempt with a credit limit: exempt customer group and company credit limit in Magento', async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { magento, ff } = h.systems;

  // Customer 42 reaches FF first; the store's admin then makes them the admin of their B2B company.
  touch(magento.state.customers.get(42)!);
  await waitFor(() => ff.records('Account').some((a) => a.Magento_Customer_Id__c === '42'), 'the FF account');
  const account = String(ff.records('Account').find((a) => a.Magento_Customer_Id__c === '42')!.Id);
  const company = addCompany(magento.state, 42, 'Difference Engines Ltd');
  const credit = () => [...magento.state.companyCredits.values()].find((c) => c.company_id === company)!;
  const creditPuts = () =>
    magento.requests.filter((r) => r.method === 'PUT' && r.path.includes('/V1/companyCredits/')).map((r) => r.body);
  const customer = () => magento.state.customers.get(42)!;
  const taxClassOf = (group: unknown) => magento.state.customerGroups.get(Number(group))?.tax_class_id;
  expect(taxClassOf(customer().group_id)).toBe(3); // General: Retail Customer, taxed

  // Finance: Net 30 in USD, tax exempt, a credit limit of 25,000.
  await patchSalesforceRecord(ff.url, 'Account', account, {
    c2g__CODAAccountTradingCurrency__c: 'USD',
    c2g__CODADaysOffset1__c: 30,
    c2g__CODASalesTaxStatus__c: 'Exempt',
    c2g__CODACreditLimit__c: 25000,
  });
  await waitFor(() => credit().credit_limit === 25000, "the company's credit limit");
  await waitFor(() => customer().group_id === 7, 'the exempt group of Net 30');
  expect(magento.state.customerGroups.get(7)).toEqual({ code: 'Net 30 Tax Exempt', tax_class_id: 4 });
  expect(credit()).toEqual({
    id: credit().id,
    company_id: company,
    credit_limit: 25000,
    balance: 0,
    currency_code: 'USD',
    exceed_limit: false,
    available_limit: 25000,
  });

  // Later the account becomes taxable again and its limit is raised.
  await patchSalesforceRecord(ff.url, 'Account', account, {
    c2g__CODASalesTaxStatus__c: 'Taxable',
    c2g__CODACreditLimit__c: 30000,
  });
  await waitFor(() => credit().credit_limit === 30000, 'the raised limit');
  await waitFor(() => customer().group_id === 4, 'the taxed group of Net 30');
  await expectDrained(h.nats.url);
  expect(taxClassOf(customer().group_id)).toBe(3);
  expect(creditPuts()).toEqual([
    {
      creditLimit: {
        id: credit().id,
        company_id: company,
        credit_limit: 25000,
        currency_code: 'USD',
      },
    },
    {
      creditLimit: {
        id: credit().id,
        company_id: company,
        credit_limit: 30000,
        currency_code: 'USD',
      },
    },
  ]);
  expect(await h.engine.deadLetters.list({ status: 'open' })).toEqual([]);
}, 60_000);
