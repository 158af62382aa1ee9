/**
 * FinancialForce accounts becoming Magento customers, end to end through a real nats-server, the engine and the
 * vendor emulators: an account with a contact and no Magento customer creates one (contact name and e-mail, both
 * addresses, group from credit terms, VAT number) and gets the new id written back; Magento's announcement of that
 * customer then updates the same account (no second one), and the pair settles: the repeated FF change is an echo.
 */
import { afterEach, expect, it } from 'vitest';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

type Row = Record<string, unknown>;

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

it('an FF account appears as a Magento customer, linked both ways, and the echo stops there', async () => {
  h = await startSeedEngine(['magento-ff']);
  const { magento, ff } = h.systems;
  const account: Row = {
    Name: 'Hopper Analytics Inc.',
    Phone: '+1 555 0199',
    BillingStreet: '1 Navy Way\nSuite 5',
    BillingCity: 'Arlington',
    BillingState: 'VA',
    BillingPostalCode: '22202',
    BillingCountry: 'US',
    c2g__CODAAccountTradingCurrency__c: 'USD',
    c2g__CODADaysOffset1__c: 30,
    c2g__CODAVATRegistrationNumber__c: 'US-88',
  };
  const { Id } = ff.store.insert('Account', { Id: '001000000000088AAA', ...account });
  const contact = { FirstName: 'Grace', LastName: 'Hopper', Email: 'grace@hopper.example' };
  ff.store.insert('Contact', { Id: '003000000000088AAA', ...contact, AccountId: Id });
  // The FF flow sends the account with its contacts.
  const sent = (stamp: string) => ({
    ...ff.records('Account').find((a) => a.Id === Id),
    SystemModstamp: stamp,
    Contacts: { totalSize: 1, done: true, records: [contact] },
  });
  const customers = () => [...magento.state.customers.values()].filter((c) => c.email === contact.Email);

  await h.post('ff-accounts-to-magento-customers', sent('2026-12-02T09:00:00.000+0000'), 'ff');
  await waitFor(() => ff.records('Account').find((a) => a.Id === Id)?.Magento_Customer_Id__c !== undefined, 'linked');
  const [created] = customers();
  expect(created).toMatchObject({
    email: 'grace@hopper.example',
    firstname: 'Grace',
    lastname: 'Hopper',
    group_id: 4,
    taxvat: 'US-88',
    addresses: [
      {
        company: 'Hopper Analytics Inc.',
        street: ['1 Navy Way', 'Suite 5'],
        city: 'Arlington',
        region: { region: 'VA' },
        postcode: '22202',
        country_id: 'US',
        telephone: '+1 555 0199',
        default_billing: true,
        default_shipping: true,
      },
    ],
  });
  expect(ff.records('Account').find((a) => a.Id === Id)?.Magento_Customer_Id__c).toBe(String(created.id));

  // Magento announces the new customer: the same account is updated, under its own company name.
  await h.post('magento-customers-to-ff-accounts', created, 'magento');
  // FF announces the account again (now with its Magento id), twice: one update, then an echo.
  await h.post('ff-accounts-to-magento-customers', sent('2026-12-02T09:05:00.000+0000'), 'ff');
  await h.post('ff-accounts-to-magento-customers', sent('2026-12-02T09:06:00.000+0000'), 'ff');
  await expectDrained(h.nats.url);
  const accounts = ff.records('Account').filter((a) => a.Magento_Customer_Id__c === String(created.id));
  expect(accounts).toHaveLength(1);
  expect(accounts[0]).toMatchObject({ Id, Name: 'Hopper Analytics Inc.', Email__c: 'grace@hopper.example' });
  expect(customers()).toHaveLength(1);
  const writes = magento.requests.filter((r) => r.method !== 'GET' && r.path.includes('/V1/customers'));
  expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
    'POST /rest/default/V1/customers',
    `PUT /rest/default/V1/customers/${String(created.id)}`,
  ]);
  expect(await h.engine.deadLetters.list()).toEqual([]);
});
