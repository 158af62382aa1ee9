/**
 * A Magento customer's contact and every address reaching FinancialForce, end to end through a real nats-server, the
 * engine and the vendor emulators: the customer poll finds a customer with three addresses (default billing, default
 * shipping and a third one), and FF gets the account, one Contact (name, e-mail, the billing address's phone) and
 * three ContactPointAddress records in the account's address book. FF's answer to the first address create is lost
 * after FF saved it: the find looks it up, so there is still one record per address. Then the customer changes the
 * name, deletes an address and adds another: the same contact is updated, the deleted address leaves the address
 * book and the new one joins it.
 */
import { afterEach, expect, it } from 'vitest';
import { touch } from '../../connectors/magento/emulator/index.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { answerLost, expectFaultsUsed } from './helpers/faults.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

type Row = Record<string, unknown>;

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const address = (id: number, street: string[], city: string, postcode: string, extra: Row = {}): Row => ({
  id,
  firstname: 'Grace',
  lastname: 'Hopper',
  street,
  city,
  postcode,
  country_id: 'US',
  telephone: '+1 555 0100',
  default_billing: false,
  default_shipping: false,
  ...extra,
});

it('every address and the contact of a Magento customer reach the FF account, once, and follow its changes', async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { magento, ff } = h.systems;
  ff.fail(answerLost('/services/data/v60.0/sobjects/ContactPointAddress', 'POST'));
  const customer = touch({
    id: 880,
    email: 'grace@hopper.example',
    firstname: 'Grace',
    lastname: 'Hopper',
    group_id: 1,
    website_id: 1,
    addresses: [
      address(881, ['1 Navy Way', 'Suite 5'], 'Arlington', '22202', {
        company: 'Hopper Analytics Inc.',
        region: { region: 'Virginia', region_code: 'VA', region_id: 61 },
        default_billing: true,
      }),
      address(882, ['9 Dock St'], 'Norfolk', '23510', { default_shipping: true }),
      address(883, ['77 Depot Rd'], 'Richmond', '23219'),
    ],
  });
  magento.state.customers.set(880, customer);

  const account = () => ff.records('Account').find((a) => a.Magento_Customer_Id__c === '880');
  const book = () =>
    ff
      .records('ContactPointAddress')
      .filter((a) => a.ParentId === account()?.Id)
      .map((a) => ({
        Magento_Address_Id__c: a.Magento_Address_Id__c,
        Name: a.Name,
        AddressType: a.AddressType,
        IsDefault: a.IsDefault,
        Street: a.Street,
        City: a.City,
        State: a.State,
        PostalCode: a.PostalCode,
        Country: a.Country,
        AddressFirstName: a.AddressFirstName,
        AddressLastName: a.AddressLastName,
        CompanyName: a.CompanyName,
      }))
      .sort((a, b) => String(a.Magento_Address_Id__c).localeCompare(String(b.Magento_Address_Id__c)));
  const contacts = () => ff.records('Contact').filter((c) => c.AccountId === account()?.Id);
  const cpa = (
    id: string,
    name: string,
    type: string,
    isDefault: boolean,
    street: string,
    city: string,
    zip: string,
  ) => ({
    Magento_Address_Id__c: id,
    Name: name,
    AddressType: type,
    IsDefault: isDefault,
    Street: street,
    City: city,
    State: undefined as unknown,
    PostalCode: zip,
    Country: 'US',
    AddressFirstName: 'Grace',
    AddressLastName: 'Hopper',
    CompanyName: undefined as unknown,
  });

  await waitFor(() => book().length === 3 && contacts().length === 1, 'the contact and the three addresses in FF');
  await expectDrained(h.nats.url);
  await expectFaultsUsed(ff);
  expect(book()).toEqual([
    {
      ...cpa('881', '1 Navy Way, Arlington', 'Billing', true, '1 Navy Way\nSuite 5', 'Arlington', '22202'),
      State: 'Virginia',
      CompanyName: 'Hopper Analytics Inc.',
    },
    cpa('882', '9 Dock St, Norfolk', 'Shipping', true, '9 Dock St', 'Norfolk', '23510'),
    cpa('883', '77 Depot Rd, Richmond', 'Shipping', false, '77 Depot Rd', 'Richmond', '23219'),
  ]);
  const [contact] = contacts();
  expect(contact).toMatchObject({
    FirstName: 'Grace',
    LastName: 'Hopper',
    Email: 'grace@hopper.example',
    Phone: '+1 555 0100',
    Magento_Customer_Id__c: '880',
  });
  expect(account()).toMatchObject({ Name: 'Hopper Analytics Inc.', BillingCity: 'Arlington', ShippingCity: 'Norfolk' });

  // The customer marries, moves the depot and adds a second shipping address.
  const [billing, shipping] = customer.addresses as Row[];
  touch(
    Object.assign(customer, {
      lastname: 'Murray Hopper',
      addresses: [billing, shipping, address(884, ['3 Pier Ave'], 'Hampton', '23661')],
    }),
  );
  await waitFor(
    () => book().some((a) => a.Magento_Address_Id__c === '884') && contacts()[0]?.LastName === 'Murray Hopper',
    'the new address and name in FF',
  );
  await waitFor(() => book().length === 3, 'the deleted address gone from the address book');
  await expectDrained(h.nats.url);
  expect(book().map((a) => a.Magento_Address_Id__c)).toEqual(['881', '882', '884']);
  expect(book()[2]).toEqual(cpa('884', '3 Pier Ave, Hampton', 'Shipping', false, '3 Pier Ave', 'Hampton', '23661'));
  expect(contacts()).toEqual([expect.objectContaining({ Id: contact.Id, LastName: 'Murray Hopper' })]);
  expect(ff.records('Account').filter((a) => a.Magento_Customer_Id__c === '880')).toHaveLength(1);
  expect(await h.engine.deadLetters.list()).toEqual([]);
});
