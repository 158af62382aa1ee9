/**
 * SOQL relationship queries against the Salesforce emulator through the real client, as the SOQL guide describes
 * them ("Using Relationship Queries", "Understanding Query Results"): a child-to-parent path comes back as a nested
 * parent record, a parent-to-child subquery as a nested query result, and a relationship the object does not have
 * is refused. Change Data Capture enrichment reads an account's contacts this way.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { ConnectionClient } from '../../engine/http/connection-client.js';
import { connectionTo, emulatorSecurity, failure, registry } from './connector-fixtures.js';
import { salesforce } from './fixtures/index.js';

let sf: SalesforceEmulator;
let client: ConnectionClient;
beforeEach(async () => {
  sf = await startSalesforceEmulator();
  client = createConnectionClient({
    connection: connectionTo(salesforce, sf.url),
    connector: registry.get('salesforce')!,
    env: salesforce.env,
    security: emulatorSecurity(sf.url),
  });
});
afterEach(async () => {
  await client.close();
  await sf.stop();
});

const query = async (q: string) =>
  ((await client.call('query', { params: { q }, body: {} })) as unknown as { result: { records: unknown[] } }).result;

/** Creates a record through the REST API; its id. */
const create = async (sobject: string, body: Record<string, unknown>) =>
  ((await client.call('sobjects.create', { params: { sobject }, body })) as unknown as { result: { id: string } })
    .result.id;

it('a parent-to-child subquery nests the children as a query result, null for a record without any', async () => {
  const [ada] = sf.records('Account');
  const bare = await create('Account', { Name: 'No Contacts Ltd' });
  const grace = await create('Contact', { AccountId: ada.Id, FirstName: 'Grace', LastName: 'Hopper', Email: 'g@x' });
  await create('Contact', { AccountId: ada.Id, LastName: 'Lamarr' });
  const result = await query(
    `SELECT Id, Name, (SELECT FirstName, LastName, Email FROM Contacts) FROM Account WHERE Id IN ('${String(ada.Id)}', '${bare}')`,
  );
  expect(result.records).toEqual([
    {
      attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${String(ada.Id)}` },
      Id: ada.Id,
      Name: ada.Name,
      Contacts: {
        totalSize: 2,
        done: true,
        records: [
          {
            attributes: { type: 'Contact', url: `/services/data/v60.0/sobjects/Contact/${grace}` },
            FirstName: 'Grace',
            LastName: 'Hopper',
            Email: 'g@x',
          },
          expect.objectContaining({ FirstName: null, LastName: 'Lamarr', Email: null }),
        ],
      },
    },
    expect.objectContaining({ Id: bare, Name: 'No Contacts Ltd', Contacts: null }),
  ]);
});

it('a child-to-parent path nests the parent record, null when the reference is empty, and filters by it', async () => {
  const [ada] = sf.records('Account');
  await create('Contact', { AccountId: ada.Id, LastName: 'Hopper' });
  await create('Contact', { LastName: 'Orphan' });
  const result = await query('SELECT LastName, Account.Name, Account.Magento_Customer_Id__c FROM Contact');
  expect(result.records).toEqual([
    expect.objectContaining({
      LastName: 'Hopper',
      Account: {
        attributes: { type: 'Account', url: `/services/data/v60.0/sobjects/Account/${String(ada.Id)}` },
        Name: ada.Name,
        Magento_Customer_Id__c: '42',
      },
    }),
    expect.objectContaining({ LastName: 'Orphan', Account: null }),
  ]);
  const filtered = await query("SELECT LastName FROM Contact WHERE Account.Magento_Customer_Id__c = '42'");
  expect(filtered.records).toEqual([expect.objectContaining({ LastName: 'Hopper' })]);
});

it('a relationship the object does not have is refused as Salesforce refuses it', async () => {
  const parent = await failure(query('SELECT Owner.Name FROM Contact'));
  expect([parent.status, parent.vendorCode, parent.message]).toEqual([
    400,
    'INVALID_FIELD',
    "Didn't understand relationship 'Owner' in field path.",
  ]);
  const child = await failure(query('SELECT Name, (SELECT Id FROM Contracts__r) FROM Account'));
  expect([child.status, child.vendorCode, child.message]).toEqual([
    400,
    'INVALID_TYPE',
    "Didn't understand relationship 'Contracts__r' in FROM part of query call.",
  ]);
});

it('a field the object does not have is refused as Salesforce refuses it: 400 INVALID_FIELD, the column shown', async () => {
  const plain = await failure(query('SELECT Id, Nmae FROM Account'));
  expect([plain.status, plain.vendorCode, plain.disposition, plain.message]).toEqual([
    400,
    'INVALID_FIELD',
    'permanent',
    "\nSELECT Id, Nmae FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Nmae' on entity " +
      "'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field " +
      'name. Please reference your WSDL or the describe call for the appropriate names.',
  ]);
  // A parent's field and a subquery's field are the parent's and the child's columns.
  const parent = await failure(query('SELECT LastName, Account.Nmae FROM Contact'));
  expect(parent.message).toContain("No such column 'Nmae' on entity 'Account'.");
  const child = await failure(query('SELECT Name, (SELECT Emial FROM Contacts) FROM Account'));
  expect(child.message).toContain("No such column 'Emial' on entity 'Contact'.");
  // API names match whatever their case.
  expect((await query('SELECT id, NAME FROM Account')).records.length).toBeGreaterThan(0);
});

it("a subquery's records nest their own parents: a product's price book entries with their price books", async () => {
  const result = await query(
    "SELECT ProductCode, (SELECT UnitPrice, Pricebook2.Name, Pricebook2.IsStandard FROM PricebookEntries) FROM Product2 WHERE ProductCode = 'MUG-1'",
  );
  expect(result.records).toEqual([
    expect.objectContaining({
      ProductCode: 'MUG-1',
      PricebookEntries: {
        totalSize: 1,
        done: true,
        records: [
          expect.objectContaining({
            UnitPrice: 12.5,
            Pricebook2: expect.objectContaining({ Name: 'Standard Price Book', IsStandard: true }),
          }),
        ],
      },
    }),
  ]);
});
