/**
 * Salesforce and FinancialForce behaviour the seeds rely on, pinned against the emulator through the real client:
 * upsert keys, field metadata (read-only, create-only, picklists, lookups, lengths, required), the FinancialForce
 * posting lock, the usage-entry lock, composite transactions, row-lock faults and the record store's change feed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiAllocation } from '../../connectors/salesforce/emulator/api-allocation.js';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { RecordChange } from '../../connectors/salesforce/emulator/record-changes.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { ConnectionClient } from '../../engine/http/connection-client.js';
import { connectionTo, emulatorSecurity, failure, registry } from './connector-fixtures.js';
import { salesforce } from './fixtures/index.js';

let sf: SalesforceEmulator;
let client: ConnectionClient;
const start = async (options: Parameters<typeof startSalesforceEmulator>[0] = {}) => {
  sf = await startSalesforceEmulator(options);
  client = createConnectionClient({
    connection: connectionTo(salesforce, sf.url),
    connector: registry.get('salesforce')!,
    env: salesforce.env,
    security: emulatorSecurity(sf.url),
  });
};
afterEach(async () => {
  vi.useRealTimers();
  await client?.close();
  await sf?.stop();
});

/** What a save answers (`$steps.<id>`). */
type Saved = { result: { id: string; created: boolean } };
const create = async (sobject: string, body: Record<string, unknown>) =>
  (await client.call('sobjects.create', { params: { sobject }, body })) as unknown as Saved;
const update = (sobject: string, body: Record<string, unknown>) =>
  client.call('sobjects.update', { params: { sobject }, body });
const upsert = (sobject: string, field: string, body: Record<string, unknown>) =>
  client.call('sobjects.upsert', { params: { sobject, external_id_field: field }, body });
/** The parts of a rejection the tests compare. */
const rejection = async (call: Promise<unknown>) => {
  const e = await failure(call);
  return {
    code: e.code,
    disposition: e.disposition,
    status: e.status,
    vendorCode: e.vendorCode,
    field: e.field,
    message: e.message,
  };
};
const invalid = (vendorCode: string, message: string, field?: string) => ({
  code: 'validation',
  disposition: 'permanent',
  status: 400,
  vendorCode,
  field,
  message,
});

describe('upsert by external id', () => {
  it('matches only external id fields: any other field is 404 NOT_FOUND, and nothing is written', async () => {
    await start();
    expect(await rejection(upsert('Account', 'Name', { Name: 'Ada Lovelace Ltd', Phone: '1' }))).toEqual({
      code: 'not-found',
      disposition: 'permanent',
      status: 404,
      vendorCode: 'NOT_FOUND',
      field: undefined,
      message: 'The requested resource does not exist',
    });
    expect(sf.records('Account').map((a) => a.Phone)).toEqual([undefined]);
  });

  it('matches case-insensitively, and answers 300 with the matches when the value is not unique', async () => {
    await start();
    const [ada] = sf.records('Account');
    await expect(upsert('Usage_Entry__c', 'External_Id__c', usage({ External_Id__c: 'AD-9' }))).resolves.toMatchObject({
      result: { created: true },
    });
    const again = await upsert('Usage_Entry__c', 'External_Id__c', usage({ External_Id__c: 'ad-9', Units__c: 4 }));
    expect(again.result).toMatchObject({ created: false });
    expect(sf.records('Usage_Entry__c').map((u) => [u.External_Id__c, u.Units__c])).toEqual([['AD-9', 4]]);
    sf.store.insert('Account', { Id: '001000000000050', Name: 'Twin', Magento_Customer_Id__c: '42' });
    const twin = await failure(
      upsert('Account', 'Magento_Customer_Id__c', { Magento_Customer_Id__c: '42', Phone: '2' }),
    );
    expect({ status: twin.status, code: twin.code, message: twin.message }).toEqual({
      status: 300,
      code: 'duplicate',
      message: `the external id matches 2 records: /services/data/v60.0/sobjects/Account/${String(ada.Id)}, /services/data/v60.0/sobjects/Account/001000000000050AAA`,
    });
    expect(sf.records('Account').map((a) => a.Phone)).toEqual([undefined, undefined]);
    expect(ada.Magento_Customer_Id__c).toBe('42');
  });

  it('refuses an upsert whose body names the record Id, as Salesforce documents; nothing is written', async () => {
    await start();
    const [ada] = sf.records('Account');
    expect(
      await rejection(
        upsert('Account', 'Magento_Customer_Id__c', { Magento_Customer_Id__c: '42', Id: ada.Id, Phone: '1' }),
      ),
    ).toEqual(invalid('INVALID_FIELD', '[emulator] Id is the record id, not the body', 'Id'));
    expect(sf.records('Account')[0].Phone).toBeUndefined();
  });

  it('reads and deletes by external id with the same matching as the upsert: case-insensitive, 300 when not unique', async () => {
    await start();
    await upsert('Usage_Entry__c', 'External_Id__c', usage({ External_Id__c: 'AD-7' }));
    const read = await client.call('sobjects.upsert', {
      params: { sobject: 'Usage_Entry__c', external_id_field: 'External_Id__c' },
      body: usage({ External_Id__c: 'ad-7' }),
    });
    const back = await client.readBack('sobjects.upsert', {
      params: { sobject: 'Usage_Entry__c', external_id_field: 'External_Id__c' },
      body: { External_Id__c: 'ad-7' },
    });
    expect(back?.result).toMatchObject({ record: { Id: (read.result as { id: string }).id, External_Id__c: 'AD-7' } });
    sf.store.insert('Account', { Id: '001000000000051', Name: 'Twin', Magento_Customer_Id__c: '42' });
    const twins = await failure(
      client.call('sobjects.delete', {
        params: { sobject: 'Account', external_id_field: 'Magento_Customer_Id__c' },
        body: { Magento_Customer_Id__c: '42' },
      }),
    );
    expect([twins.status, twins.code]).toEqual([300, 'duplicate']);
    expect(sf.records('Account')).toHaveLength(2);
    await client.call('sobjects.delete', {
      params: { sobject: 'Usage_Entry__c', external_id_field: 'External_Id__c' },
      body: { External_Id__c: 'ad-7' },
    });
    expect(sf.records('Usage_Entry__c')).toEqual([]);
  });
});

const usage = (extra: Record<string, unknown> = {}) => ({
  External_Id__c: 'ad-1',
  Contract__c: sf.records('Contract')[0].Id,
  Product_Type__c: 'Display Banner',
  Units__c: 3,
  ...extra,
});

describe('delete', () => {
  it('deletes by id or external id, and answers NOT_FOUND for a record that is not there', async () => {
    await start();
    await upsert('Usage_Entry__c', 'External_Id__c', usage());
    const remove = () =>
      client.call('sobjects.delete', {
        params: { sobject: 'Usage_Entry__c', external_id_field: 'External_Id__c' },
        body: { External_Id__c: 'ad-1' },
      });
    await expect(remove()).resolves.toMatchObject({ result: { deleted: true } });
    expect(await rejection(remove())).toEqual({
      code: 'not-found',
      disposition: 'permanent',
      status: 404,
      vendorCode: 'NOT_FOUND',
      field: undefined,
      message: 'The requested resource does not exist',
    });
    expect(sf.records('Usage_Entry__c')).toEqual([]);
  });
});

describe('field metadata', () => {
  it('refuses writes to auto-number, formula and roll-up fields with INVALID_FIELD_FOR_INSERT_UPDATE', async () => {
    await start();
    const contract = sf.records('Contract')[0];
    const message = (fields: string) =>
      `Unable to create/update fields: ${fields}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`;
    expect(await rejection(update('Contract', { Id: contract.Id, ContractNumber: 'C-9' }))).toEqual(
      invalid('INVALID_FIELD_FOR_INSERT_UPDATE', message('ContractNumber'), 'ContractNumber'),
    );
    const account = String(sf.records('Account')[0].Id);
    expect(
      await rejection(
        create('c2g__codaInvoice__c', {
          c2g__Account__c: account,
          c2g__InvoiceTotal__c: 10,
          c2g__PaymentStatus__c: 'Paid',
        }),
      ),
    ).toEqual(
      invalid(
        'INVALID_FIELD_FOR_INSERT_UPDATE',
        message('c2g__InvoiceTotal__c, c2g__PaymentStatus__c'),
        'c2g__InvoiceTotal__c',
      ),
    );
    expect(sf.records('c2g__codaInvoice__c')).toEqual([]);
  });

  it('sets create-only fields on create and refuses them on update', async () => {
    await start();
    const book = await create('Pricebook2', { Name: 'Wholesale', IsActive: true });
    const [mug, tee] = sf.records('Product2');
    const entry = await create('PricebookEntry', { Pricebook2Id: book.result.id, Product2Id: mug.Id, UnitPrice: 9 });
    expect(await rejection(update('PricebookEntry', { Id: entry.result.id, Product2Id: tee.Id }))).toMatchObject({
      vendorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      field: 'Product2Id',
    });
    await expect(update('PricebookEntry', { Id: entry.result.id, UnitPrice: 8 })).resolves.toBeDefined();
  });

  it('checks restricted picklists, text lengths and required fields, naming the field by its label', async () => {
    await start();
    expect(await rejection(create('Usage_Entry__c', usage({ Product_Type__c: 'Banner' })))).toEqual(
      invalid(
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        'Product Type: bad value for restricted picklist field: Banner',
        'Product_Type__c',
      ),
    );
    const account = String(sf.records('Account')[0].Id);
    const reference = '0'.repeat(25);
    expect(
      await rejection(
        create('c2g__codaInvoice__c', { c2g__Account__c: account, c2g__CustomerReference__c: reference }),
      ),
    ).toEqual(
      invalid(
        'STRING_TOO_LONG',
        `Customer Reference: data value too large: ${reference} (max length=24)`,
        'c2g__CustomerReference__c',
      ),
    );
    expect(await rejection(create('Contract', { StartDate: '2026-01-01' }))).toEqual(
      invalid('REQUIRED_FIELD_MISSING', 'Required fields are missing: [AccountId]', 'AccountId'),
    );
    const contract = sf.records('Contract')[0];
    expect(await rejection(update('Contract', { Id: contract.Id, AccountId: null }))).toEqual(
      invalid('REQUIRED_FIELD_MISSING', 'Required fields are missing: [AccountId]', 'AccountId'),
    );
    expect(await rejection(create('Usage_Entry__c', usage({ Units__c: 'three' })))).toMatchObject({
      vendorCode: 'JSON_PARSER_ERROR',
      field: 'Units__c',
    });
  });

  it('checks lookup ids: not an id, an id of another object, an id of nothing; 15 and 18 characters both work and are kept as 18', async () => {
    await start();
    const [account] = sf.records('Account');
    const contract = sf.records('Contract')[0];
    const contact = (AccountId: unknown) => create('Contact', { LastName: 'Lee', AccountId });
    expect(await rejection(contact('nonsense'))).toEqual(
      invalid('MALFORMED_ID', 'Account ID: id value of incorrect type: nonsense', 'AccountId'),
    );
    expect(await rejection(contact(contract.Id))).toEqual(
      invalid(
        'FIELD_INTEGRITY_EXCEPTION',
        `Account ID: id value of incorrect type: ${String(contract.Id)}`,
        'AccountId',
      ),
    );
    expect(await rejection(contact('001000000000999AAA'))).toEqual(
      invalid('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', 'AccountId'),
    );
    await contact(String(account.Id).slice(0, 15));
    await contact(String(account.Id).toLowerCase());
    expect(sf.records('Contact').map((c) => c.AccountId)).toEqual([account.Id, account.Id]);
  });

  it('an org without the B2B Commerce licence has no address names: a write with them is INVALID_FIELD', async () => {
    await start({ absentFields: { ContactPointAddress: ['AddressFirstName', 'AddressLastName'] } });
    const address = { ParentId: String(sf.records('Account')[0].Id), Name: '1 Navy Way, Arlington', City: 'Arlington' };
    expect(await rejection(create('ContactPointAddress', { ...address, AddressFirstName: 'Grace' }))).toEqual(
      invalid(
        'INVALID_FIELD',
        "No such column 'AddressFirstName' on sobject of type ContactPointAddress",
        'AddressFirstName',
      ),
    );
    expect(sf.records('ContactPointAddress')).toEqual([]);
    const { id } = (await create('ContactPointAddress', address)).result;
    expect(sf.records('ContactPointAddress').map((r) => r.Id)).toEqual([id]);
    const described = (await client.call('sobjects.describe', {
      params: { sobject: 'ContactPointAddress' },
      body: undefined,
    })) as {
      result: { fields: { name: string }[] };
    };
    const names = described.result.fields.map((f) => f.name);
    expect(names).toContain('CompanyName');
    expect(names.filter((n) => n.startsWith('Address'))).toEqual(['AddressType']);
  });

  it('gives new records their auto-numbers and picklist defaults', async () => {
    await start();
    const account = String(sf.records('Account')[0].Id);
    const contract = await create('Contract', { AccountId: account, Status: 'Draft' });
    const invoice = await create('c2g__codaInvoice__c', { c2g__Account__c: account });
    expect(sf.store.get('Contract', contract.result.id)).toMatchObject({ ContractNumber: 'C-1003' });
    expect(sf.store.get('c2g__codaInvoice__c', invoice.result.id)).toMatchObject({
      Name: 'SIN000001',
      c2g__InvoiceStatus__c: 'In Progress',
    });
  });
});

describe('FinancialForce posting', () => {
  const postedInvoice = async () => {
    const account = String(sf.records('Account')[0].Id);
    const [mug] = sf.records('Product2');
    await upsert('c2g__codaInvoice__c', 'Magento_Order_Id__c', {
      Magento_Order_Id__c: '1001',
      c2g__Account__c: account,
      c2g__DueDate__c: '2026-12-20',
    });
    const line = {
      Magento_Order_Item_Id__c: '10011',
      c2g__Invoice__c: sf.records('c2g__codaInvoice__c')[0].Id,
      c2g__Product__c: mug.Id,
      c2g__Quantity__c: 2,
      c2g__UnitPrice__c: 12.5,
    };
    await upsert('c2g__codaInvoiceLineItem__c', 'Magento_Order_Item_Id__c', line);
    const invoice = sf.records('c2g__codaInvoice__c')[0];
    await fetch(`${sf.url}/__emulator/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sobject: 'c2g__codaInvoice__c', id: invoice.Id }),
    });
    return { invoice, line, account };
  };

  it('lets a posted invoice be amended only in its amendable fields, and its lines only in their descriptions', async () => {
    await start();
    const { line, account } = await postedInvoice();
    await upsert('c2g__codaInvoice__c', 'Magento_Order_Id__c', {
      Magento_Order_Id__c: '1001',
      c2g__DueDate__c: '2027-01-20',
      c2g__CustomerReference__c: 'PO-7',
    });
    // Written again unchanged (the account as its 15-character id): no amendment, accepted.
    await upsert('c2g__codaInvoice__c', 'Magento_Order_Id__c', {
      Magento_Order_Id__c: '1001',
      c2g__Account__c: account.slice(0, 15),
      c2g__CustomerReference__c: 'PO-7',
    });
    expect(
      await rejection(
        upsert('c2g__codaInvoice__c', 'Magento_Order_Id__c', { Magento_Order_Id__c: '1001', Shipping_Amount__c: 9 }),
      ),
    ).toEqual(
      invalid(
        'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        '[emulator] a Complete document can only be amended in c2g__DueDate__c, c2g__InvoiceDescription__c, c2g__CustomerReference__c, c2g__Dimension1__c, c2g__Dimension2__c, c2g__Dimension3__c, c2g__Dimension4__c; not Shipping_Amount__c',
        'Shipping_Amount__c',
      ),
    );
    await upsert('c2g__codaInvoiceLineItem__c', 'Magento_Order_Item_Id__c', {
      ...line,
      c2g__LineDescription__c: 'Mug',
    });
    expect(
      await rejection(
        upsert('c2g__codaInvoiceLineItem__c', 'Magento_Order_Item_Id__c', { ...line, c2g__Quantity__c: 3 }),
      ),
    ).toMatchObject({ vendorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', field: 'c2g__Quantity__c' });
    expect(
      await rejection(
        upsert('c2g__codaInvoiceLineItem__c', 'Magento_Order_Item_Id__c', {
          ...line,
          Magento_Order_Item_Id__c: '10012',
        }),
      ),
    ).toMatchObject({
      vendorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      message: '[emulator] a line of a Complete document cannot be added or removed',
    });
    expect(sf.records('c2g__codaInvoice__c')[0]).toMatchObject({
      c2g__DueDate__c: '2027-01-20',
      c2g__CustomerReference__c: 'PO-7',
      c2g__InvoiceStatus__c: 'Complete',
    });
    expect(
      sf.records('c2g__codaInvoiceLineItem__c').map((l) => [l.c2g__Quantity__c, l.c2g__LineDescription__c]),
    ).toEqual([[2, 'Mug']]);
  });

  it('never posts through an update of the status', async () => {
    await start();
    const account = String(sf.records('Account')[0].Id);
    expect(
      await rejection(create('c2g__codaInvoice__c', { c2g__Account__c: account, c2g__InvoiceStatus__c: 'Complete' })),
    ).toMatchObject({ vendorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', field: 'c2g__InvoiceStatus__c' });
  });
});

describe('FinancialForce posting of credit notes and cash entries', () => {
  const post = (sobject: string, id: unknown) =>
    fetch(`${sf.url}/__emulator/post`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sobject, id }),
    });
  const locked = (what: string, amendable: string, changed: string) => ({
    vendorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
    field: changed,
    message: `[emulator] ${what} can only be amended in ${amendable}; not ${changed}`,
  });

  it('lets a posted credit note be amended only in due date, description and reference, its lines in descriptions', async () => {
    await start();
    const account = String(sf.records('Account')[0].Id);
    const [mug] = sf.records('Product2');
    const head = { Magento_Creditmemo_Id__c: '77', c2g__Account__c: account, c2g__CreditNoteDate__c: '2026-12-02' };
    await upsert('c2g__codaCreditNote__c', 'Magento_Creditmemo_Id__c', head);
    const note = sf.records('c2g__codaCreditNote__c')[0];
    const line = {
      Magento_Creditmemo_Item_Id__c: '771',
      c2g__CreditNote__c: note.Id,
      c2g__Product__c: mug.Id,
      c2g__Quantity__c: 1,
      c2g__UnitPrice__c: 12.5,
    };
    await upsert('c2g__codaCreditNoteLineItem__c', 'Magento_Creditmemo_Item_Id__c', line);
    expect((await post('c2g__codaCreditNote__c', note.Id)).status).toBe(204);
    expect(sf.records('c2g__codaCreditNote__c')[0].c2g__CreditNoteStatus__c).toBe('Complete');
    await upsert('c2g__codaCreditNote__c', 'Magento_Creditmemo_Id__c', {
      ...head,
      c2g__DueDate__c: '2027-01-02',
      c2g__CreditNoteDescription__c: 'Refund of order 1001',
      c2g__CustomerReference__c: 'RMA-7',
    });
    expect(
      await rejection(
        upsert('c2g__codaCreditNote__c', 'Magento_Creditmemo_Id__c', { ...head, c2g__CreditNoteDate__c: '2026-12-03' }),
      ),
    ).toMatchObject(
      locked(
        'a Complete document',
        'c2g__DueDate__c, c2g__CreditNoteDescription__c, c2g__CustomerReference__c',
        'c2g__CreditNoteDate__c',
      ),
    );
    await upsert('c2g__codaCreditNoteLineItem__c', 'Magento_Creditmemo_Item_Id__c', {
      ...line,
      c2g__LineDescription__c: 'Mug, returned',
    });
    expect(
      await rejection(
        upsert('c2g__codaCreditNoteLineItem__c', 'Magento_Creditmemo_Item_Id__c', { ...line, c2g__UnitPrice__c: 10 }),
      ),
    ).toMatchObject(locked('a line of a Complete document', 'c2g__LineDescription__c', 'c2g__UnitPrice__c'));
    expect(
      await rejection(
        upsert('c2g__codaCreditNoteLineItem__c', 'Magento_Creditmemo_Item_Id__c', {
          ...line,
          Magento_Creditmemo_Item_Id__c: '77-shipping',
        }),
      ),
    ).toMatchObject({ message: '[emulator] a line of a Complete document cannot be added or removed' });
    expect(
      sf.records('c2g__codaCreditNoteLineItem__c').map((l) => [l.c2g__UnitPrice__c, l.c2g__LineDescription__c]),
    ).toEqual([[12.5, 'Mug, returned']]);
  });

  it('lets a posted cash entry be amended only in description and reference, its lines in references', async () => {
    await start();
    const account = String(sf.records('Account')[0].Id);
    const bank = String(sf.records('c2g__codaBankAccount__c')[0].Id);
    const head = {
      Magento_Order_Id__c: '1001',
      c2g__BankAccount__c: bank,
      c2g__Date__c: '2026-12-02',
      c2g__Type__c: 'Receipt',
    };
    await upsert('c2g__codaCashEntry__c', 'Magento_Order_Id__c', head);
    const entry = sf.records('c2g__codaCashEntry__c')[0];
    const line = {
      Magento_Order_Id__c: '1001',
      c2g__CashEntry__c: entry.Id,
      c2g__Account__c: account,
      c2g__CashEntryValue__c: 43,
    };
    await upsert('c2g__codaCashEntryLineItem__c', 'Magento_Order_Id__c', line);
    expect((await post('c2g__codaCashEntry__c', entry.Id)).status).toBe(204);
    await upsert('c2g__codaCashEntry__c', 'Magento_Order_Id__c', { ...head, c2g__Reference__c: 'pi_123' });
    expect(
      await rejection(upsert('c2g__codaCashEntry__c', 'Magento_Order_Id__c', { ...head, c2g__Date__c: '2026-12-03' })),
    ).toMatchObject(locked('a Complete document', 'c2g__Description__c, c2g__Reference__c', 'c2g__Date__c'));
    await upsert('c2g__codaCashEntryLineItem__c', 'Magento_Order_Id__c', { ...line, c2g__AccountReference__c: 'SIN1' });
    expect(
      await rejection(
        upsert('c2g__codaCashEntryLineItem__c', 'Magento_Order_Id__c', { ...line, c2g__CashEntryValue__c: 40 }),
      ),
    ).toMatchObject(
      locked(
        'a line of a Complete document',
        'c2g__AccountReference__c, c2g__LineDescription__c',
        'c2g__CashEntryValue__c',
      ),
    );
    expect(sf.records('c2g__codaCashEntry__c')[0]).toMatchObject({
      c2g__Status__c: 'Complete',
      c2g__Reference__c: 'pi_123',
      c2g__Date__c: '2026-12-02',
    });
    // Only FinancialForce's documents are posted.
    expect((await post('Account', account)).status).toBe(404);
  });
});

describe('usage entries of a fulfilled contract', () => {
  it('are locked (by status or checkbox), cannot be moved to another contract, and take no new usage', async () => {
    await start();
    const [active, fulfilled] = sf.records('Contract');
    const other = await create('Contract', { AccountId: sf.records('Account')[0].Id, Status: 'Activated' });
    await upsert('Usage_Entry__c', 'External_Id__c', usage());
    const entryId = String(sf.records('Usage_Entry__c')[0].Id);
    sf.store.update('Contract', String(active.Id), { Fulfilled__c: true });
    const locked = {
      code: 'record-locked',
      disposition: 'permanent',
      status: 400,
      vendorCode: 'ENTITY_IS_LOCKED',
      field: undefined,
      message: `entity is locked: usage entry ${entryId} belongs to fulfilled contract C-1001`,
    };
    expect(await rejection(upsert('Usage_Entry__c', 'External_Id__c', usage({ Units__c: 5 })))).toEqual(locked);
    expect(
      await rejection(upsert('Usage_Entry__c', 'External_Id__c', usage({ Contract__c: other.result.id, Units__c: 9 }))),
    ).toEqual(locked);
    expect(
      await rejection(
        client.call('sobjects.delete', {
          params: { sobject: 'Usage_Entry__c', external_id_field: 'External_Id__c' },
          body: { External_Id__c: 'ad-1' },
        }),
      ),
    ).toEqual(locked);
    expect(
      await rejection(
        upsert('Usage_Entry__c', 'External_Id__c', usage({ External_Id__c: 'ad-2', Contract__c: fulfilled.Id })),
      ),
    ).toEqual(
      invalid(
        'FIELD_INTEGRITY_EXCEPTION',
        'Contract C-1002 is fulfilled: no new usage can be recorded on it',
        'Contract__c',
      ),
    );
    expect(sf.records('Usage_Entry__c').map((u) => [u.External_Id__c, u.Units__c, u.Contract__c])).toEqual([
      ['ad-1', 3, active.Id],
    ]);
  });
});

describe('transactions and change events', () => {
  it('announces each committed change once, and nothing of a rolled-back allOrNone composite', async () => {
    await start();
    const changes: RecordChange[] = [];
    sf.onChange((c) => changes.push(c));
    const compositeRequest = [
      { method: 'POST', url: '/services/data/v60.0/sobjects/Account', referenceId: 'acct', body: { Name: 'Gone Co' } },
      {
        method: 'POST',
        url: '/services/data/v60.0/sobjects/Contact',
        referenceId: 'contact',
        body: { FirstName: 'No last name', AccountId: '@{acct.id}' },
      },
    ];
    expect(
      await rejection(client.call('composite', { params: {}, body: { allOrNone: true, compositeRequest } })),
    ).toEqual(
      invalid(
        'REQUIRED_FIELD_MISSING',
        'composite subrequest contact: Required fields are missing: [LastName]',
        'LastName',
      ),
    );
    expect(sf.records('Account').map((a) => a.Name)).toEqual(['Ada Lovelace Ltd']);
    const created = await create('Account', { Name: 'Kept Co' });
    await update('Account', { Id: created.result.id, Phone: '555' });
    await client.call('sobjects.delete', { params: { sobject: 'Account' }, body: { Id: created.result.id } });
    expect(changes.map((c) => [c.type, c.sobject, c.id, c.changed])).toEqual([
      ['CREATE', 'Account', created.result.id, []],
      ['UPDATE', 'Account', created.result.id, ['Phone', 'LastModifiedDate']],
      ['DELETE', 'Account', created.result.id, []],
    ]);
  });

  it('refuses an insert under an id the org issued (also in its 15-character form): the record stays', async () => {
    await start();
    const created = await create('Account', { Name: 'Kept Co', Magento_Customer_Id__c: '77' });
    const changes: RecordChange[] = [];
    sf.onChange((c) => changes.push(c));
    // What the demo's open invoices did: a hand-made 15-character id equal to one the org had handed out.
    const handMade = created.result.id.slice(0, 15);
    expect(() => sf.store.insert('Account', { Id: handMade, Name: 'Open invoice Co' })).toThrow(
      `[emulator] Account insert: id ${created.result.id} is already the Account record's; a new record needs an unused id (change the existing record with update)`,
    );
    expect(() => sf.store.insert('Account', { Id: 'not an id', Name: 'Nameless' })).toThrow(
      '[emulator] Account insert: "not an id" is not a record id',
    );
    expect(sf.records('Account').map((a) => [a.Id, a.Name, a.Magento_Customer_Id__c])).toEqual([
      [sf.records('Account')[0].Id, 'Ada Lovelace Ltd', '42'],
      [created.result.id, 'Kept Co', '77'],
    ]);
    expect(changes).toEqual([]);
  });

  it('answers SOQL filters with comparison, IN and LIKE, ordered descending', async () => {
    await start();
    const result = await client.call('query', {
      params: {},
      body: {
        q: "SELECT ProductCode FROM Product2 WHERE ProductCode IN ('MUG-1', 'CAP-1', 'HAT-1') AND Name LIKE '%a%' ORDER BY ProductCode DESC",
      },
    });
    expect((result.result as { records: { ProductCode: string }[] }).records.map((r) => r.ProductCode)).toEqual([
      'MUG-1',
      'CAP-1',
    ]);
  });

  it('compares SOQL text case-insensitively, but a case-sensitive field exactly', async () => {
    await start();
    sf.addCustomField('Account', 'Partner_Code__c', {
      type: 'string',
      title: 'Partner Code',
      maxLength: 20,
      'x-external-id': true,
      'x-case-sensitive': true,
    });
    sf.store.insert('Account', { Id: '001000000000060', Name: 'Case Co', Partner_Code__c: 'AbC-1' });
    const found = async (q: string) =>
      ((await client.call('query', { params: {}, body: { q } })).result as { records: Record<string, unknown>[] })
        .records;
    // A contract number as the service app may spell it: Salesforce finds the contract.
    expect(
      (await found("SELECT ContractNumber FROM Contract WHERE ContractNumber = 'c-1001'")).map((r) => r.ContractNumber),
    ).toEqual(['C-1001']);
    expect(
      (
        await found("SELECT ProductCode FROM Product2 WHERE ProductCode IN ('mug-1', 'Cap-1') ORDER BY ProductCode")
      ).map((r) => r.ProductCode),
    ).toEqual(['CAP-1', 'MUG-1']);
    expect(await found("SELECT Id FROM Account WHERE Name != 'ada lovelace ltd' AND Name = 'CASE CO'")).toHaveLength(1);
    expect(await found("SELECT Id FROM Account WHERE Partner_Code__c = 'abc-1'")).toEqual([]);
    expect(await found("SELECT Id FROM Account WHERE Partner_Code__c = 'AbC-1'")).toHaveLength(1);
  });

  it("reads SOQL's escape sequences in quoted strings, and refuses a backslash it does not define", async () => {
    await start();
    await create('Product2', { Name: "O'Neil \\ 100% wool", ProductCode: 'ESC-1' });
    await create('Product2', { Name: 'O Neil 1000 wool', ProductCode: 'ESC-2' });
    const codes = async (where: string) =>
      (
        (await client.call('query', { params: {}, body: { q: `SELECT ProductCode FROM Product2 WHERE ${where}` } }))
          .result as { records: { ProductCode: string }[] }
      ).records.map((r) => r.ProductCode);
    expect(await codes("Name = 'O\\'Neil \\\\ 100% wool'")).toEqual(['ESC-1']);
    expect(await codes("Name = 'O\\u0027Neil \\\\ 100% wool'")).toEqual(['ESC-1']);
    // In LIKE, \% is a percent sign and % any run: the second product has no % after its 100.
    expect(await codes("Name LIKE 'O%100\\% wool'")).toEqual(['ESC-1']);
    expect(await codes("Name LIKE 'O%100% wool'")).toEqual(['ESC-1', 'ESC-2']);
    expect(await rejection(codes("Name = 'O\\yNeil'"))).toEqual(
      invalid('MALFORMED_QUERY', "invalid escape sequence \\y in 'O\\yNeil'"),
    );
    expect(await rejection(codes("Name = '100\\%'"))).toEqual(
      invalid('MALFORMED_QUERY', "invalid escape sequence \\% in '100\\%'"),
    );
  });
});

describe('row locks', () => {
  it("injects UNABLE_TO_LOCK_ROW, bare and wrapped by a trigger, with Salesforce's bodies; both are retryable", async () => {
    await start();
    const account = String(sf.records('Account')[0].Id);
    await fetch(`${sf.url}/__emulator/row-lock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: account }),
    });
    sf.failRowLock({ wrapped: true, id: account, trigger: 'c2g.CODAInvoiceTrigger' });
    const bare = await failure(update('Account', { Id: account, Phone: '1' }));
    const wrapped = await failure(update('Account', { Id: account, Phone: '1' }));
    expect([bare, wrapped].map((e) => [e.code, e.disposition, e.status, e.vendorCode])).toEqual([
      ['row-lock', 'retryable', 400, 'UNABLE_TO_LOCK_ROW'],
      ['row-lock', 'retryable', 400, 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY'],
    ]);
    expect(bare.message).toBe(`unable to obtain exclusive access to this record or 1 records: ${account}`);
    expect(wrapped.message).toBe(
      `c2g.CODAInvoiceTrigger: execution of AfterUpdate\n\ncaused by: System.DmlException: Update failed. First exception on row 0 with id ${account}; first error: UNABLE_TO_LOCK_ROW, unable to obtain exclusive access to this record or 1 records: ${account}: []`,
    );
    await update('Account', { Id: account, Phone: '1' });
    expect(sf.records('Account')[0].Phone).toBe('1');
  });
});

describe('the daily API allocation', () => {
  const probe = (on = client) => on.call('query', { params: {}, body: { q: 'SELECT Id FROM Account' } });
  const calls = () => sf.requests.filter((r) => r.path.startsWith('/services/data/')).length;

  it('is reported on every REST answer, and once spent answers 403 REQUEST_LIMIT_EXCEEDED without Retry-After', async () => {
    await start();
    await probe();
    const token = sf.requests.find((r) => r.path === '/services/oauth2/token');
    expect(token).toBeDefined();
    const first = await fetch(`${sf.url}/services/data/v60.0/query?q=SELECT+Id+FROM+Account`, {
      headers: { authorization: String(sf.requests.at(-1)!.headers.authorization) },
    });
    expect(first.headers.get('sforce-limit-info')).toBe('api-usage=2/100000');
    sf.allocation.limit = 2;
    const refused = await fetch(`${sf.url}/services/data/v60.0/query?q=SELECT+Id+FROM+Account`, {
      headers: { authorization: String(sf.requests.at(-1)!.headers.authorization) },
    });
    expect({
      status: refused.status,
      retryAfter: refused.headers.get('retry-after'),
      usage: refused.headers.get('sforce-limit-info'),
      body: (await refused.json()) as unknown,
    }).toEqual({
      status: 403,
      retryAfter: null,
      usage: 'api-usage=2/2',
      body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED', fields: [] }],
    });
  });

  it('counts calls over a rolling window: they free up as they age out of it', () => {
    const window = new ApiAllocation({ limit: 2, windowMs: 1000 });
    expect([window.take(0), window.take(400)]).toEqual([undefined, undefined]);
    expect(window.take(900)).toMatchObject({ status: 403 });
    expect([window.header(999), window.take(1000), window.header(1000)]).toEqual([
      'api-usage=2/2',
      undefined,
      'api-usage=2/2',
    ]);
  });

  it('paces calls inside the reserve to the rate the window frees them, and says when to come back', async () => {
    await start();
    sf.allocation.limit = 100;
    sf.allocation.setUsed(85);
    await probe();
    await probe();
    expect(calls()).toBe(2);
    sf.allocation.setUsed(94);
    await probe(); // answers api-usage=95/100: 5 left, inside the 10 % reserve
    await probe(); // the first paced call goes at once
    const paced = await failure(probe());
    expect(calls()).toBe(4);
    expect({ code: paced.code, disposition: paced.disposition, message: paced.message }).toEqual({
      code: 'rate-limited',
      disposition: 'retryable',
      message:
        'salesforce: 96/100 of the API allocation used, inside the 10 % reserve: pacing to one call every 14 min',
    });
    expect(paced.retryAfterMs).toBeGreaterThan(863_000 - 60_000);
    expect(paced.retryAfterMs).toBeLessThanOrEqual(864_000);
  });

  it('stops calling once the allocation is spent, and calls again when the window has freed the reserve', async () => {
    // Only the clock is fake: the window's 144 minutes pass at once, sockets and timers stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    await start();
    sf.allocation.limit = 100;
    sf.allocation.setUsed(100);
    const refused = await failure(probe());
    expect({
      code: refused.code,
      disposition: refused.disposition,
      status: refused.status,
      vendorCode: refused.vendorCode,
      retryAfterMs: refused.retryAfterMs,
      message: refused.message,
    }).toEqual({
      code: 'rate-limited',
      disposition: 'retryable',
      status: 403,
      vendorCode: 'REQUEST_LIMIT_EXCEEDED',
      retryAfterMs: 8_640_000,
      message:
        'TotalRequests Limit exceeded. (salesforce: the API allocation is spent (100/100); calls free up as the window rolls: retrying in 144 min, when the 10 % reserve is free again)',
    });
    const before = calls();
    expect(await failure(probe())).toMatchObject({ code: 'rate-limited', retryAfterMs: 8_640_000 });
    expect(calls()).toBe(before);
    vi.setSystemTime(Date.now() + 8_640_000 - 1);
    expect(await failure(probe())).toMatchObject({ code: 'rate-limited', retryAfterMs: 1 });
    expect(calls()).toBe(before);
    // The reserve's share of the window later, the org's earlier calls have aged out: one call goes to learn that.
    vi.setSystemTime(Date.now() + 1);
    sf.allocation.setUsed(50);
    await probe();
    await probe();
    expect(calls()).toBe(before + 2);
  });
});
