/**
 * The FinancialForce CRM-side seed flows (accounts, open and paid invoices, sales quotes to Magento) through the engine
 * on their native source, the FF org's Change Data Capture events over the Pub/Sub API: each test changes records in
 * the Salesforce emulator through its REST API, the emulator emits the change events, and Magento's answer is lost
 * after it committed (dropAfterCommit) or comes after the client gave up (a timeout after the commit). Magento honours
 * no Idempotency-Key, so what is asserted is its own state: exactly one record per business object, with the right
 * values, and no dead letter.
 */
import { expect, it } from 'vitest';
import { addCompany, placeQuoteOrder, sampleOrder, touch } from '../../../connectors/magento/emulator/index.js';
import { expectDrained, waitFor } from '../../runtime/helpers/runtime-harness.js';
import {
  changeEventEnriched,
  createSalesforceRecord,
  patchSalesforceRecord,
} from '../../runtime/helpers/vendor-engine.js';
import { answerLate, answerLost } from '../helpers/faults.js';
import { sharedSeedEngine } from '../helpers/shared-seed-engine.js';

const h = sharedSeedEngine(['magento-ff'], {
  fastTimeouts: true,
  faulted: ({ magento, ff }) => [magento, ff],
});

type Row = Record<string, unknown>;
const M = '/rest/default/V1';
const SF = '/services/data/v60.0/sobjects';
/** A Magento quote's negotiable-quote fields. */
const status = (q: Row) => (q.extension_attributes as { negotiable_quote: Row }).negotiable_quote;
/** The calls a system received (from its `from`th request on), as `METHOD path`. */
const calls = (system: { requests: { method: string; path: string }[] }, match: RegExp, from = 0) =>
  system.requests
    .slice(from)
    .map((r) => `${r.method} ${r.path}`)
    .filter((c) => match.test(c));

it('FF account -> new Magento customer, the create answer lost; its new terms, timing out: one customer', async () => {
  const { magento, ff } = h.systems;
  const from = magento.requests.length;
  const Id = await createSalesforceRecord(ff.url, 'Account', {
    Name: 'Lovelace Engines Ltd',
    Phone: '+44 20 7946 0100',
    BillingStreet: '12 St James Square',
    BillingCity: 'London',
    BillingPostalCode: 'SW1Y 4JH',
    BillingCountry: 'GB',
    c2g__CODAAccountTradingCurrency__c: 'USD',
  });
  // Its CREATE event is read back (no contact yet: skipped) before the contact is added.
  await changeEventEnriched(ff, Id);
  await createSalesforceRecord(ff.url, 'Contact', {
    AccountId: Id,
    FirstName: 'Augusta',
    LastName: 'King',
    Email: 'augusta@lovelace.example',
  });
  const shoppers = () => [...magento.state.customers.values()].filter((c) => c.email === 'augusta@lovelace.example');
  const account = () => ff.records('Account').find((a) => a.Id === Id)!;

  // Finance sets the terms: the customer is created (answer lost), found by its e-mail on the retry, and linked.
  magento.fail(answerLost(`${M}/customers`, 'POST'));
  await patchSalesforceRecord(ff.url, 'Account', Id, { c2g__CODADaysOffset1__c: 30 });
  await waitFor(() => account().Magento_Customer_Id__c !== undefined, 'the account linked');
  await expectDrained(h.nats.url);
  expect(shoppers()).toHaveLength(1);
  const [customer] = shoppers();
  expect(customer).toMatchObject({ firstname: 'Augusta', lastname: 'King', group_id: 4 });
  expect(account().Magento_Customer_Id__c).toBe(String(customer.id));

  // New terms and a VAT number: Magento saves them after the client gave up; the retry writes them again.
  magento.fail(answerLate(`${M}/customers/${String(customer.id)}`, { method: 'PUT' }));
  await patchSalesforceRecord(ff.url, 'Account', Id, {
    c2g__CODADaysOffset1__c: 60,
    c2g__CODAVATRegistrationNumber__c: 'GB-1815',
  });
  await waitFor(() => shoppers()[0]?.taxvat === 'GB-1815', 'the new VAT number in Magento');
  await expectDrained(h.nats.url);
  expect(shoppers()).toHaveLength(1);
  expect(shoppers()[0]).toMatchObject({ group_id: 5, taxvat: 'GB-1815', firstname: 'Augusta' });
  // The retry writes them again, unless the customer poll showed Magento holding them before it: echo suppression
  // then knows the record has them (docs/runtime.md, "Echo suppression"), and a write would change nothing.
  const put = `PUT ${M}/customers/${String(customer.id)}`;
  expect([
    [`POST ${M}/customers`, put, put],
    [`POST ${M}/customers`, put],
  ]).toContainEqual(calls(magento, /^(POST|PUT) .*\/customers/, from));
});

it('FF tax exemption and credit limit -> exempt group and company credit, the credit answer lost, then late', async () => {
  const { magento, ff } = h.systems;
  // A B2B buyer of the store, admin of their company, reaches FF through the customer poll.
  magento.state.customers.set(
    90,
    touch({
      id: 90,
      email: 'kay@kayco.example',
      firstname: 'Kay',
      lastname: 'Co',
      group_id: 1,
      website_id: 1,
      addresses: [],
    }),
  );
  const account = () => ff.records('Account').find((a) => a.Magento_Customer_Id__c === '90');
  await waitFor(() => account() !== undefined, 'the FF account of customer 90');
  const company = addCompany(magento.state, 90, 'KayCo');
  const credit = () => [...magento.state.companyCredits.values()].find((c) => c.company_id === company)!;
  const path = `${M}/companyCredits/${String(credit().id)}`;
  const from = magento.requests.length;

  // Finance makes it exempt with a limit: Magento saves the limit and the answer is lost; the retry sets it again.
  magento.fail(answerLost(path, 'PUT'));
  await patchSalesforceRecord(ff.url, 'Account', String(account()!.Id), {
    c2g__CODAAccountTradingCurrency__c: 'USD',
    c2g__CODADaysOffset1__c: 30,
    c2g__CODASalesTaxStatus__c: 'Exempt',
    c2g__CODACreditLimit__c: 15000,
  });
  await waitFor(
    () => credit().credit_limit === 15000 && magento.state.customers.get(90)!.group_id === 7,
    'exempt, 15000',
  );
  await expectDrained(h.nats.url);

  // A higher limit, saved after the client gave up: the retry writes the same limit again.
  magento.fail(answerLate(path, { method: 'PUT' }));
  await patchSalesforceRecord(ff.url, 'Account', String(account()!.Id), { c2g__CODACreditLimit__c: 20000 });
  await waitFor(() => credit().credit_limit === 20000, 'the limit of 20000');
  await expectDrained(h.nats.url);
  expect(credit()).toMatchObject({ credit_limit: 20000, currency_code: 'USD', balance: 0, available_limit: 20000 });
  expect(magento.state.customers.get(90)).toMatchObject({ group_id: 7, email: 'kay@kayco.example' });
  // Each change reads the company's credit once; the write whose answer was lost or late is sent again (a PUT of the
  // same limit), never a different one.
  const read = `GET ${M}/companyCredits/company/${company}`;
  expect(calls(magento, /companyCredits/, from)).toEqual([
    read,
    `PUT ${path}`,
    `PUT ${path}`,
    read,
    `PUT ${path}`,
    `PUT ${path}`,
  ]);
});

it('open FF invoice -> quote, draft and send answers lost; a part payment, the decline late: one live quote', async () => {
  const { magento, ff } = h.systems;
  const from = magento.requests.length;
  const Id = 'a1A000000000777AAA';
  ff.store.insert('c2g__codaInvoice__c', {
    Id,
    Name: 'SIN000777',
    c2g__Account__c: ff.records('Account')[0].Id,
    c2g__InvoiceCurrency__c: 'a0C000000000USD',
    c2g__DueDate__c: '2026-12-31',
    c2g__InvoiceStatus__c: 'In Progress',
  });
  const mine = () =>
    [...magento.state.negotiableQuotes.values()].filter((q) =>
      String(status(q).quote_name).startsWith('Invoice SIN000777'),
    );
  const live = () => mine().filter((q) => status(q).status !== 'declined');

  // FF posts the invoice (its posting sets the open amount): the draft and the send commit, their answers are lost.
  magento.fail(answerLost(`${M}/negotiableQuote/draft`));
  magento.fail(answerLost(`${M}/negotiableQuote/submitToCustomer`));
  ff.store.update('c2g__codaInvoice__c', Id, { c2g__InvoiceStatus__c: 'Complete', c2g__OutstandingValue__c: 300 });
  await waitFor(() => mine().length === 1 && status(mine()[0]).status === 'submitted_by_admin', 'the quote, sent');
  await expectDrained(h.nats.url);
  expect(mine()[0].items).toEqual([expect.objectContaining({ sku: 'INVOICE-PAYMENT', qty: 1 })]);
  expect(calls(magento, /draft|carts\/search|submitToCustomer/, from)).toEqual([
    `POST ${M}/negotiableQuote/draft`,
    `GET ${M}/carts/search`,
    `POST ${M}/negotiableQuote/submitToCustomer`,
  ]);

  // A part payment: the decline of the sent quote commits after the client gave up; the retry finds it declined.
  magento.fail(answerLate(`${M}/negotiableQuote/decline`));
  ff.store.update('c2g__codaInvoice__c', Id, { c2g__PaymentStatus__c: 'Part Paid', c2g__OutstandingValue__c: 120 });
  await waitFor(
    () => live().length === 1 && status(live()[0]).negotiated_price_value === 120 && mine().length === 2,
    () => `the replacement quote: ${JSON.stringify(mine().map(status))}`,
  );
  await expectDrained(h.nats.url);
  expect(mine().map((q) => [status(q).status, status(q).negotiated_price_value])).toEqual([
    ['declined', null],
    ['submitted_by_admin', 120],
  ]);
  expect(calls(magento, /negotiableQuote\/decline/, from)).toEqual([`POST ${M}/negotiableQuote/decline`]);

  // The buyer pays the quote in Magento (its invoice is paid at checkout); the invoice poll finds it, and FF books the
  // cash once although its answer is lost.
  const order = placeQuoteOrder(magento.state, Number(live()[0].id), { method: 'braintree', transactionId: 'ch_777' });
  const paid = String(magento.state.invoices.find((i) => i.order_id === order.entity_id)!.entity_id);
  ff.fail({
    dropAfterCommit: true,
    pathPrefix: `${SF}/c2g__codaCashEntry__c/Magento_Invoice_Id__c/${paid}`,
    times: 1,
  });
  await waitFor(() => ff.records('c2g__codaCashEntryLineItem__c').length === 1, 'the cash entry line');
  await expectDrained(h.nats.url);
  expect(ff.records('c2g__codaCashEntry__c').filter((c) => c.Magento_Invoice_Id__c === paid)).toHaveLength(1);
});

it('approved FF sales quote -> Magento quote, the draft answer lost; then Denied, the decline late: one quote', async () => {
  const { magento, ff } = h.systems;
  const from = magento.requests.length;
  // The sales rep's quote for Ada's account (seeded: the account comes from its opportunity), with two lines.
  const quote = ff.store.insert('Quote', {
    Id: '0Q0000000000077AAA',
    Name: 'Spring order',
    QuoteNumber: '00000077',
    Status: 'Draft',
    AccountId: ff.records('Account')[0].Id,
    ShippingHandling: 5,
    ExpirationDate: '2026-12-31',
    TotalPrice: 40,
  });
  const product = (code: string) => String(ff.records('Product2').find((p) => p.ProductCode === code)!.Id);
  const Id = String(quote.Id);
  await createSalesforceRecord(ff.url, 'QuoteLineItem', {
    QuoteId: Id,
    Product2Id: product('MUG-1'),
    Quantity: 2,
    UnitPrice: 10,
  });
  await createSalesforceRecord(ff.url, 'QuoteLineItem', {
    QuoteId: Id,
    Product2Id: product('TEE-1'),
    Quantity: 1,
    UnitPrice: 15,
  });
  const mine = () =>
    [...magento.state.negotiableQuotes.values()].filter((q) => status(q).quote_name === '00000077 Spring order');

  // The quote is approved: the draft commits in Magento, its answer is lost; the retry finds the empty draft.
  magento.fail(answerLost(`${M}/negotiableQuote/draft`));
  await patchSalesforceRecord(ff.url, 'Quote', Id, { Status: 'Approved' });
  await waitFor(
    () => mine().length === 1 && status(mine()[0]).status === 'submitted_by_admin',
    'the sales quote, sent',
  );
  await expectDrained(h.nats.url);
  expect((mine()[0].items as Row[]).map((i) => [i.sku, i.qty])).toEqual([
    ['MUG-1', 2],
    ['TEE-1', 1],
  ]);
  expect(status(mine()[0])).toMatchObject({ negotiated_price_value: 40, shipping_price: 5 });
  expect([...magento.state.negotiableQuotes.values()].filter((q) => (q.items as Row[]).length === 0)).toEqual([]);

  // The customer turns it down in FF: Magento declines it after the client gave up; the retry finds it declined.
  magento.fail(answerLate(`${M}/negotiableQuote/decline`));
  await patchSalesforceRecord(ff.url, 'Quote', Id, { Status: 'Denied' });
  await waitFor(() => status(mine()[0]).status === 'declined', 'the sales quote, declined');
  await expectDrained(h.nats.url);
  expect(mine().map((q) => [status(q).status, status(q).decline_reason])).toEqual([
    ['declined', 'Quote 00000077 was withdrawn.'],
  ]);
  expect(calls(magento, /negotiableQuote\/(draft|decline)/, from)).toEqual([
    `POST ${M}/negotiableQuote/draft`,
    `POST ${M}/negotiableQuote/decline`,
  ]);
});

it.each([
  ['lost', 2101],
  ['late', 2102],
] as const)(
  'paid FF invoice -> Magento invoice of an order paid on account, the answer %s: one invoice',
  async (fault, entity) => {
    const { magento, ff } = h.systems;
    // A purchase-order order, shipped and not invoiced; the order poll bills it in FF.
    const order = touch(
      sampleOrder(entity, {
        state: 'processing',
        status: 'processing',
        payment: { method: 'purchaseorder', po_number: `PO-${entity}`, additional_information: [] },
      }),
    );
    for (const item of order.items as Row[]) item.qty_shipped = item.qty_ordered;
    magento.state.orders.set(entity, order);
    const billed = () => ff.records('c2g__codaInvoice__c').find((i) => i.Magento_Order_Id__c === String(entity));
    await waitFor(
      () => ff.records('c2g__codaInvoiceLineItem__c').filter((l) => l.c2g__Invoice__c === billed()?.Id).length === 4,
      `the FF invoice of order ${entity}`,
    );
    const { Id, Name } = billed()!;

    // FF posts it and matches the payment: Magento invoices the order, and its answer is lost (or comes too late).
    const path = `${M}/order/${entity}/invoice`;
    magento.fail(fault === 'lost' ? answerLost(path, 'POST') : answerLate(path, { method: 'POST' }));
    const from = magento.requests.length;
    ff.post('c2g__codaInvoice__c', String(Id));
    ff.store.update('c2g__codaInvoice__c', String(Id), { c2g__PaymentStatus__c: 'Paid', c2g__OutstandingValue__c: 0 });
    const invoices = () => magento.state.invoices.filter((i) => i.order_id === entity);
    await waitFor(() => invoices().length === 1 && order.state === 'complete', `order ${entity} invoiced and complete`);
    // The invoice's searches by order (not the invoice poll's searches by updated_at), and its POSTs.
    const invoiceCalls = () =>
      magento.requests
        .slice(from)
        .filter((r) => r.path === path || (r.path === `${M}/invoices` && Object.values(r.query).includes('order_id')))
        .map((r) => `${r.method} ${r.path}`);
    await waitFor(
      () => invoiceCalls().length === 2,
      () => `the retry's look-up: ${JSON.stringify(invoiceCalls())}`,
    );
    await expectDrained(h.nats.url);
    expect(invoices()).toEqual([
      expect.objectContaining({
        state: 2,
        grand_total: 66.71,
        comments: [expect.objectContaining({ comment: `Paid in FinancialForce: invoice ${String(Name)}` })],
      }),
    ]);
    // One POST, then the search that finds it; never a second invoice.
    expect(invoiceCalls()).toEqual([`POST ${path}`, `GET ${M}/invoices`]);
    // No cash entry for money FF collected itself.
    expect(ff.records('c2g__codaCashEntryLineItem__c').filter((l) => l.Sales_Invoice__c === Id)).toEqual([]);
  },
);
