/**
 * FinancialForce accounts in Spain and France becoming Magento customers, end to end (nats-server, the engine, the
 * vendor emulators): `ff-accounts-to-magento-customers` reads the store's directory for the address's country
 * (`magento-regions`, GET /V1/directory/countries/{id}) and sends a Spanish province as Spain's region id, a French
 * region that is no department as text (France's state is optional), and dead-letters a Spanish state the list lacks
 * (Spain's state is required), as a 2.4 store's InitializeDirectoryData lists and `general/region/state_required` make
 * Magento do. Sources: docs/connectors.md (Magento, the region row).
 */
import { afterEach, expect, it } from 'vitest';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** An account and its contact, inserted in one transaction (as a converted lead): its CREATE event sends it. */
function insertAccount(engine: SeedEngine, Id: string, address: Record<string, string>): void {
  engine.systems.ff.store.transaction(
    () => {
      engine.systems.ff.store.insert('Account', {
        Id,
        Name: 'Lovelace Engines SL',
        Phone: '+34 910 000 000',
        ...address,
        c2g__CODAAccountTradingCurrency__c: 'USD',
        c2g__CODADaysOffset1__c: 30,
      });
      engine.systems.ff.store.insert('Contact', {
        Id: `003${Id.slice(3)}`,
        AccountId: Id,
        FirstName: 'Ada',
        LastName: 'Lovelace',
        Email: `ada-${Id.slice(-6)}@lovelace.example`,
      });
    },
    () => true,
  );
}

it("a Spanish province goes as Spain's region id, a French region that is no department as text", async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { magento, ff } = h.systems;
  const Id = '001000000000095AAA';
  insertAccount(h, Id, {
    BillingStreet: 'Calle de Alcalá 1',
    BillingCity: 'Madrid',
    BillingState: 'madrid',
    BillingPostalCode: '28014',
    BillingCountry: 'Spain',
    ShippingStreet: '5 Rue de Rivoli',
    ShippingCity: 'Paris',
    ShippingState: 'Île-de-France',
    ShippingPostalCode: '75001',
    ShippingCountry: 'France',
  });
  await waitFor(
    () => ff.records('Account').find((a) => a.Id === Id)?.Magento_Customer_Id__c !== undefined,
    'the account linked to its new customer',
  );
  await expectDrained(h.nats.url);
  // The exact create Magento received: Madrid as Spain's region 161 (its code is the name in a 2.4 store), matched
  // whatever its letter case; Île-de-France, none of France's departments, as text, which Magento keeps with id 0.
  const posts = magento.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/V1/customers'));
  expect(posts.map((r) => (r.body as { customer: { addresses: unknown[] } }).customer.addresses)).toEqual([
    [
      expect.objectContaining({
        city: 'Madrid',
        region: { region_id: 161, region_code: 'Madrid', region: 'Madrid' },
        country_id: 'ES',
      }),
      expect.objectContaining({ city: 'Paris', region: { region: 'Île-de-France' }, country_id: 'FR' }),
    ],
  ]);
  expect(magento.requests.filter((r) => r.path.includes('/V1/directory/countries/')).map((r) => r.path)).toEqual(
    expect.arrayContaining([expect.stringMatching(/\/countries\/ES$/), expect.stringMatching(/\/countries\/FR$/)]),
  );
});

it('a Spanish state that is none of the provinces is a dead letter naming it: Spain requires a state', async () => {
  h = await startSeedEngine(['magento-ff'], { fastPolls: true });
  const { magento } = h.systems;
  const Id = '001000000000096AAA';
  insertAccount(h, Id, {
    BillingStreet: 'Calle Mayor 3',
    BillingCity: 'Toledo',
    BillingState: 'Castilla',
    BillingPostalCode: '45001',
    BillingCountry: 'Spain',
  });
  let deadLetters: Awaited<ReturnType<typeof h.engine.deadLetters.list>> = [];
  await waitFor(async () => (deadLetters = await h!.engine.deadLetters.list()).length === 1, 'the dead letter');
  expect(deadLetters).toEqual([
    expect.objectContaining({
      integration: 'ff-accounts-to-magento-customers',
      key: Id,
      step: 'create',
      reason: 'permanent',
      error: {
        code: 'transform-error',
        message:
          `JSONata D3137: Account ${Id}: BillingState "Castilla" is not one of the regions of ES in the Magento ` +
          'store (GET /V1/directory/countries/ES), and the store requires a state for ES: set BillingState to a ' +
          "region's name or code (or map the value in state-codes), then replay",
      },
    }),
  ]);
  expect(magento.requests.filter((r) => r.path.includes('/V1/customers') && r.method !== 'GET')).toEqual([]);
});
