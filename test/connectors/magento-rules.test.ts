/**
 * Magento 2 / Adobe Commerce 2.4.4+ behaviour the seeds rely on, pinned against the emulator through the real client:
 * partial product updates and product PUT on an unknown SKU, customer PUT merging, the default store at /rest/V1,
 * shipments and their search by order, MSI validation, search paging and input limits, deadlocks, the three ways to
 * authenticate (OAuth 1.0a, admin tokens, integration bearer tokens), and the B2B negotiable quote life cycle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  MAGENTO_EMULATOR_ADMIN,
  MAGENTO_EMULATOR_INTEGRATION,
  placeQuoteOrder,
  startMagentoEmulator,
} from '../../connectors/magento/emulator/index.js';
import type { MagentoEmulator, MagentoEmulatorOptions } from '../../connectors/magento/emulator/index.js';
import type { AuthSpec } from '../../engine/compiler/compiled-spec.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { ConnectionClient } from '../../engine/http/connection-client.js';
import { connectionTo, emulatorSecurity, failure, MAGENTO_TIME, registry } from './connector-fixtures.js';
import { magento } from './fixtures/index.js';

let emulator: MagentoEmulator | undefined;
const clients: ConnectionClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await emulator?.stop();
  emulator = undefined;
});

const clientFor = (_fixture: unknown, url: string, auth: AuthSpec = magento.auth, env = magento.env) => {
  const client = createConnectionClient({
    connection: connectionTo({ ...magento, auth }, url),
    connector: registry.get('magento')!,
    env,
    security: emulatorSecurity(url),
  });
  clients.push(client);
  return client;
};
const start = async (options: MagentoEmulatorOptions = {}) => (emulator = await startMagentoEmulator(options));
/** An address with everything a default install requires. */
const loop = {
  firstname: 'Ada',
  lastname: 'Lovelace',
  street: ['1 Loop'],
  city: 'Oakland',
  postcode: '94612',
  country_id: 'US',
  telephone: '+1 555 0100',
};

describe('magento', () => {
  it('updates a product partially: name, description, SEO fields and media stay untouched; custom attributes merge by code', async () => {
    const m = await start();
    const before = structuredClone(m.state.products.get('MUG-1')!);
    await clientFor(magento, m.url).call('products.update', {
      params: {},
      body: { sku: 'MUG-1', price: 11, custom_attributes: [{ attribute_code: 'special_price', value: '9.99' }] },
    });
    expect(m.state.products.get('MUG-1')).toEqual({
      ...before,
      price: 11,
      custom_attributes: [
        ...(before.custom_attributes as object[]),
        { attribute_code: 'special_price', value: '9.99' },
      ],
      updated_at: expect.stringMatching(MAGENTO_TIME),
    });
  });

  it('refuses to ship more than is left on the order, and a second full shipment', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    await expect(
      client.call('shipments.create', {
        params: {},
        body: { order_id: 1001, items: [{ order_item_id: 10011, qty: 3 }] },
      }),
    ).rejects.toMatchObject({
      code: 'validation',
      status: 400,
      message:
        'Shipment Document Validation Error(s):\nThe quantity to ship must not be greater than the unshipped quantity for product SKU "MUG-1".',
    });
    await expect(client.call('shipments.create', { params: {}, body: { order_id: 1001 } })).resolves.toMatchObject({
      result: { id: 1 },
    });
    await expect(client.call('shipments.create', { params: {}, body: { order_id: 1001 } })).rejects.toMatchObject({
      code: 'validation',
      message: 'Shipment Document Validation Error(s):\nThe order does not allow a shipment to be created.',
    });
    expect(
      m.state.shipments.map((s) =>
        (s.items as { order_item_id: number; qty: number }[]).map((i) => [i.order_item_id, i.qty]),
      ),
    ).toEqual([
      [
        [10011, 2],
        [10012, 1],
        [10014, 1],
      ],
    ]);
  });

  it("moves an order's updated_at with a shipment only when the shipment changes the order's state", async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    const order = m.state.orders.get(1001)!;
    const stamped = order.updated_at;
    /** Ships one of an item, then answers the order's state, updated_at and each item's qty_shipped. */
    const ship = async (itemId: number) => {
      const items = [{ order_item_id: itemId, qty: 1 }];
      await client.call('shipments.create', { params: {}, body: { order_id: 1001, items } });
      return [order.state, order.updated_at, (order.items as Record<string, unknown>[]).map((i) => i.qty_shipped)];
    };
    // A complete order: the shipment saves the items' quantities, the order row is not written.
    expect(await ship(10014)).toEqual(['complete', stamped, [0, 0, 0, 1]]);
    // A new order: its first shipment makes it processing, a change of the order row.
    Object.assign(order, { state: 'new', status: 'pending' });
    expect(await ship(10011)).toEqual(['processing', expect.stringMatching(MAGENTO_TIME), [1, 0, 0, 1]]);
    expect(order.updated_at).not.toBe(stamped);
    // Processing, and more shipped without completing it (nothing is invoiced): the row stays as it was.
    order.updated_at = '2026-11-21 08:00:00';
    expect(await ship(10011)).toEqual(['processing', '2026-11-21 08:00:00', [2, 0, 0, 1]]);
  });

  it('invoices an unbilled order once: a fully invoiced or complete order is refused as CanInvoice words it', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    // Order 1001 as a purchase-order order stands after its shipment: processing, nothing invoiced.
    const order = m.state.orders.get(1001)!;
    Object.assign(order, { state: 'processing', status: 'processing' });
    for (const item of order.items as Record<string, unknown>[]) item.qty_shipped = item.qty_ordered;
    await expect(
      client.call('invoices.create', {
        params: {},
        body: { order_id: 1001, capture: false, comment: { comment: 'Paid in FinancialForce: invoice SIN000001' } },
      }),
    ).resolves.toMatchObject({ result: { id: 1 } });
    // Everything invoiced and shipped: the State handler completes the order.
    expect([order.state, order.status]).toEqual(['complete', 'complete']);
    await expect(client.call('invoices.create', { params: {}, body: { order_id: 1001 } })).rejects.toMatchObject({
      code: 'validation',
      status: 400,
      message:
        'Invoice Document Validation Error(s):\nAn invoice cannot be created when an order has a status of complete',
    });
    // Fully invoiced but still processing (not shipped yet): nothing is left to invoice.
    Object.assign(order, { state: 'processing', status: 'processing' });
    await expect(client.call('invoices.create', { params: {}, body: { order_id: 1001 } })).rejects.toMatchObject({
      code: 'validation',
      message: 'Invoice Document Validation Error(s):\nThe order does not allow an invoice to be created.',
    });
    expect(m.state.invoices.map((i) => [i.order_id, i.state, i.grand_total, i.comments])).toEqual([
      [1001, 2, 66.71, [expect.objectContaining({ comment: 'Paid in FinancialForce: invoice SIN000001' })]],
    ]);
    await expect(client.call('invoices.search', { params: {}, body: { order_id: 1001 } })).resolves.toMatchObject({
      result: { total_count: 1, items: [{ entity_id: 1, order_id: 1001 }] },
    });
  });

  it('reports every MSI validation failure of a source item', async () => {
    await start();
    await expect(
      clientFor(magento, emulator!.url).call('source_items.save', {
        params: {},
        body: { sku: 'NOPE-1', source_code: 'mars_base', quantity: 1, status: 1 },
      }),
    ).rejects.toMatchObject({
      code: 'validation',
      status: 400,
      message:
        'Validation Failed: Product with SKU "NOPE-1" does not exist.; Source with code "mars_base" does not exist.',
    });
  });
});

describe('magento B2B negotiable quotes', () => {
  const quote = (id: number, fields: object, items?: object[]) => ({
    id,
    ...(items ? { items } : {}),
    extension_attributes: { negotiable_quote: fields },
  });

  it('prices a quote by proposed total, merges a repeated SKU, locks it once sent, and lets the buyer order it', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    const { id } = (await client.call('negotiable_quotes.draft', { params: {}, body: { customerId: 42 } })).result as {
      id: number;
    };
    await client.call('negotiable_quotes.update', {
      params: {},
      body: quote(id, { quote_name: 'Q', negotiated_price_type: 3, negotiated_price_value: 40 }, [
        { sku: 'MUG-1', qty: 2 },
        { sku: 'MUG-1', qty: 2 },
      ]),
    });
    const cart = (await client.call('carts.get', { params: {}, body: { id } })).result as {
      items: { sku: string; qty: number }[];
      extension_attributes: { negotiable_quote: Record<string, unknown> };
    };
    expect(cart.items.map((i) => [i.sku, i.qty])).toEqual([['MUG-1', 4]]);
    expect(cart.extension_attributes.negotiable_quote).toMatchObject({
      status: 'draft_by_admin',
      original_total_price: 50,
      negotiated_total_price: 40,
    });
    await client.call('negotiable_quotes.submit', { params: {}, body: { quoteId: id } });
    await expect(
      client.call('negotiable_quotes.update', { params: {}, body: quote(id, { negotiated_price_value: 30 }) }),
    ).rejects.toMatchObject({
      code: 'validation',
      status: 400,
      message: 'This quote is currently locked for editing. It will become available once released by the buyer.',
    });
    const order = placeQuoteOrder(m.state, id, { method: 'checkmo', transactionId: 'pay-1' });
    expect(order).toMatchObject({
      quote_id: id,
      state: 'processing',
      grand_total: 40,
      customer_id: 42,
      payment: { method: 'checkmo', last_trans_id: 'pay-1', amount_paid: 40 },
    });
    await expect(
      client.call('negotiable_quotes.decline', { params: {}, body: { quoteId: id, reason: 'late' } }),
    ).rejects.toMatchObject({
      code: 'validation',
      status: 400,
      message: 'The quote cannot be declined in its ordered state.',
    });
  });

  it('refuses a draft for an unknown customer, an unknown SKU and a discount over 100 %', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    await expect(client.call('negotiable_quotes.draft', { params: {}, body: { customerId: 9 } })).rejects.toMatchObject(
      { code: 'not-found', status: 404, message: 'No such entity with customerId = 9' },
    );
    const { id } = (await client.call('negotiable_quotes.draft', { params: {}, body: { customerId: 42 } })).result as {
      id: number;
    };
    await expect(
      client.call('negotiable_quotes.update', { params: {}, body: quote(id, {}, [{ sku: 'NOPE-1', qty: 1 }]) }),
    ).rejects.toMatchObject({ code: 'not-found', status: 404 });
    await expect(
      client.call('negotiable_quotes.update', {
        params: {},
        body: quote(id, { negotiated_price_type: 1, negotiated_price_value: 120 }),
      }),
    ).rejects.toMatchObject({ code: 'validation', message: 'The discount percentage cannot be more than 100.' });
    await expect(client.call('negotiable_quotes.submit', { params: {}, body: { quoteId: id } })).rejects.toMatchObject({
      code: 'validation',
      message: 'Cannot send a B2B quote without items.',
    });
    expect(m.state.negotiableQuotes.get(id)).toMatchObject({
      items: [],
      extension_attributes: { negotiable_quote: { status: 'draft_by_admin' } },
    });
  });

  it('declining removes the negotiated price and makes the quote final', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    const { id } = (await client.call('negotiable_quotes.draft', { params: {}, body: { customerId: 42 } })).result as {
      id: number;
    };
    await client.call('negotiable_quotes.update', {
      params: {},
      body: quote(id, { negotiated_price_type: 1, negotiated_price_value: 10 }, [{ sku: 'TEE-1', qty: 2 }]),
    });
    await client.call('negotiable_quotes.decline', {
      params: {},
      body: { quoteId: id, reason: 'Paid by bank transfer' },
    });
    expect(m.state.negotiableQuotes.get(id)!.extension_attributes).toMatchObject({
      negotiable_quote: {
        status: 'declined',
        negotiated_price_type: null,
        negotiated_total_price: 50,
        decline_reason: 'Paid by bank transfer',
      },
    });
    await expect(client.call('negotiable_quotes.submit', { params: {}, body: { quoteId: id } })).rejects.toMatchObject({
      code: 'validation',
      message: 'The quote cannot be changed in its declined state.',
    });
  });
});

describe('magento 2.4 REST semantics', () => {
  it('serves /rest/V1 in the default store, like /rest/default/V1', async () => {
    const m = await start();
    const auth = { authorization: 'Bearer magento-emulator-token' };
    const scoped = await fetch(`${m.url}/rest/default/V1/products/MUG-1`, { headers: auth });
    const bare = await fetch(`${m.url}/rest/V1/products/MUG-1`, { headers: auth });
    expect([scoped.status, bare.status]).toEqual([200, 200]);
    expect(await bare.json()).toEqual(await scoped.json());
  });

  it('merges a customer PUT onto the stored customer; sent addresses replace the set, [] removes them all', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    await client.call('customers.update', {
      params: {},
      body: { id: 42, addresses: [{ ...loop, default_billing: true }] },
    });
    await client.call('customers.update', { params: {}, body: { id: 42, group_id: 4, taxvat: 'US-123' } });
    expect(m.state.customers.get(42)).toMatchObject({
      email: 'ada@example.com',
      firstname: 'Ada',
      lastname: 'Lovelace',
      group_id: 4,
      taxvat: 'US-123',
      addresses: [{ street: ['1 Loop'], city: 'Oakland', customer_id: 42 }],
    });
    await client.call('customers.update', { params: {}, body: { id: 42, addresses: [] } });
    expect(m.state.customers.get(42)!.addresses).toEqual([]);
  });

  it("answers a customer's newsletter subscription on every read and save; a save that does not send it keeps it", async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    type Customer = { extension_attributes: { is_subscribed: boolean } };
    const save = async (body: object) =>
      ((await client.call('customers.update', { params: {}, body: { id: 42, ...body } })).result as Customer)
        .extension_attributes;
    const subscribed = async () => {
      const got = (await client.call('customers.get', { params: {}, body: { id: 42 } })).result as Customer;
      const { items } = (
        await client.call('customers.search', { params: { field: 'email' }, body: { value: 'ada@example.com' } })
      ).result as { items: Customer[] };
      return [got, ...items].map((c) => c.extension_attributes.is_subscribed);
    };
    expect(await subscribed()).toEqual([false, false]);
    expect(await save({ extension_attributes: { is_subscribed: true } })).toEqual({ is_subscribed: true });
    expect(await save({ group_id: 4 })).toEqual({ is_subscribed: true });
    expect(await subscribed()).toEqual([true, true]);
    expect(await save({ extension_attributes: { is_subscribed: false } })).toEqual({ is_subscribed: false });
    expect(await subscribed()).toEqual([false, false]);
  });

  it('compares e-mails as MySQL does: a search finds the customer in any letter case, and a second one is refused', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    // The seed customer 42 is ada@example.com; an FF contact may hold it with capitals.
    const { result } = await client.call('customers.search', {
      params: { field: 'email' },
      body: { value: 'Ada@Example.com' },
    });
    expect((result as { items: { id: number; email: string }[] }).items.map((c) => [c.id, c.email])).toEqual([
      [42, 'ada@example.com'],
    ]);
    await expect(
      client.call('customers.create', {
        params: {},
        body: { email: 'ADA@example.com', firstname: 'Ada', lastname: 'Lovelace', website_id: 1 },
      }),
    ).rejects.toMatchObject({
      status: 400,
      message: 'A customer with the same email address already exists in an associated website.',
    });
    expect([...m.state.customers.values()].map((c) => String(c.email).toLowerCase())).toEqual(['ada@example.com']);
  });

  it('refuses a customer save whose address lacks what Magento requires or names no ISO country; nothing is saved', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    const customer = { email: 'grace@example.com', firstname: 'Grace', lastname: 'Hopper', website_id: 1 };
    const before = m.requests.length;
    // An account without a phone: the address has no telephone (required in a default install).
    await expect(
      client.call('customers.create', { params: {}, body: { ...customer, addresses: [{ ...loop, telephone: null }] } }),
    ).rejects.toMatchObject({
      code: 'validation',
      status: 400,
      field: 'telephone',
      message: '"telephone" is required. Enter and try again.',
    });
    // A country by name, as Salesforce's address picklists store it: Magento takes ISO 3166 codes only.
    await expect(
      client.call('customers.create', {
        params: {},
        body: { ...customer, addresses: [loop, { ...loop, country_id: 'United States' }] },
      }),
    ).rejects.toMatchObject({
      status: 400,
      message: 'Invalid value of "United States" provided for the countryId field.',
    });
    // Several problems in one address: the aggregate answer, each problem in `errors`.
    await expect(
      client.call('customers.create', {
        params: {},
        body: { ...customer, addresses: [{ street: ['1 Ring St'], city: 'Vienna', country_id: 'AT' }] },
      }),
    ).rejects.toMatchObject({
      status: 400,
      message:
        'One or more input exceptions have occurred.: "firstname" is required. Enter and try again.; ' +
        '"lastname" is required. Enter and try again.; "telephone" is required. Enter and try again.; ' +
        '"postcode" is required. Enter and try again.',
    });
    expect(m.requests.slice(before).map((r) => r.method)).toEqual(['POST', 'POST', 'POST']);
    expect([...m.state.customers.values()].filter((c) => c.email === customer.email)).toEqual([]);
    // A British address needs no postcode; an update refused for an address leaves the customer as it was.
    await client.call('customers.update', {
      params: {},
      body: { id: 42, addresses: [{ ...loop, country_id: 'GB', postcode: null }] },
    });
    const saved = structuredClone(m.state.customers.get(42));
    await expect(
      client.call('customers.update', {
        params: {},
        body: { id: 42, taxvat: 'GB-1', addresses: [{ ...loop, city: ' ' }] },
      }),
    ).rejects.toMatchObject({ status: 400, message: '"city" is required. Enter and try again.' });
    expect(m.state.customers.get(42)).toEqual(saved);
    // An address sent with its id is saved over the stored one: what was not sent stays.
    const id = (saved!.addresses as { id: number }[])[0].id;
    await client.call('customers.update', { params: {}, body: { id: 42, addresses: [{ id, city: 'Leeds' }] } });
    expect(m.state.customers.get(42)!.addresses).toEqual([
      { ...loop, country_id: 'GB', postcode: null, id, city: 'Leeds', customer_id: 42 },
    ]);
  });

  it('saves a US address with a region name and no region id, kept as text with region id 0 (not looked up)', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    const customer = { email: 'grace@example.com', firstname: 'Grace', lastname: 'Hopper', website_id: 1 };
    const sent = [
      { ...loop, region: { region: 'Virginia' } },
      { ...loop, region: { region_code: 'VA' } },
      { ...loop, region: { region: 'California', region_code: 'CA', region_id: 12 } },
      // The id decides: the text and the code become the directory's (AbstractAddress::getRegion in beforeSave).
      { ...loop, region: { region: 'Old Dominion', region_code: 'OD', region_id: 61 } },
      // A country without a region list keeps the text.
      { ...loop, country_id: 'GB', postcode: 'SW1A 1AA', region: { region: 'Greater London' } },
    ];
    const created = (await client.call('customers.create', { params: {}, body: { ...customer, addresses: sent } }))
      .result as { id: number };
    const read = (await client.call('customers.get', { params: {}, body: { id: created.id } })).result as {
      addresses: { region: unknown }[];
    };
    expect(read.addresses.map((a) => a.region)).toEqual([
      { region: 'Virginia', region_code: 'Virginia', region_id: 0 },
      { region: null, region_code: 'VA', region_id: 0 },
      { region: 'California', region_code: 'CA', region_id: 12 },
      { region: 'Virginia', region_code: 'VA', region_id: 61 },
      { region: 'Greater London', region_code: 'Greater London', region_id: 0 },
    ]);
  });

  it("refuses a region id that is not one of the country's regions, and answers the directory's regions", async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    const customer = { email: 'grace@example.com', firstname: 'Grace', lastname: 'Hopper', website_id: 1 };
    // Alberta (66) is Canada's: a US address cannot take it. The whole save is refused.
    await expect(
      client.call('customers.create', {
        params: {},
        body: { ...customer, addresses: [{ ...loop, region: { region: 'Alberta', region_id: 66 } }] },
      }),
    ).rejects.toMatchObject({
      code: 'validation',
      status: 400,
      message: 'Invalid value of "66" provided for the regionId field.',
    });
    expect([...m.state.customers.values()].filter((c) => c.email === customer.email)).toEqual([]);
    // The directory: a country with regions lists them (ids as strings); one without has no list; one the store does
    // not allow (or a name) is not found.
    const us = (await client.call('directory.country', { params: {}, body: { countryId: 'US' } })).result as {
      available_regions: unknown[];
    };
    expect(us.available_regions).toHaveLength(65);
    expect(us.available_regions[60]).toEqual({ id: '61', code: 'VA', name: 'Virginia' });
    const ca = (await client.call('directory.country', { params: {}, body: { countryId: 'CA' } })).result as {
      available_regions: unknown[];
    };
    expect(ca.available_regions[0]).toEqual({ id: '66', code: 'AB', name: 'Alberta' });
    expect((await client.call('directory.country', { params: {}, body: { countryId: 'GB' } })).result).toEqual({
      id: 'GB',
      two_letter_abbreviation: 'GB',
      three_letter_abbreviation: 'GBR',
      full_name_locale: 'United Kingdom',
      full_name_english: 'United Kingdom',
    });
    await expect(
      client.call('directory.country', { params: {}, body: { countryId: 'Atlantis' } }),
    ).rejects.toMatchObject({ code: 'not-found', status: 404, message: 'Requested country is not available.' });
  });

  it('answers the directory routes without credentials (anonymous in webapi.xml), and no other route', async () => {
    const m = await start();
    const get = async (path: string) => {
      const res = await fetch(`${m.url}${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const us = await get('/rest/V1/directory/countries/US');
    expect(us.status).toBe(200);
    expect((us.body.available_regions as unknown[])[60]).toEqual({ id: '61', code: 'VA', name: 'Virginia' });
    const all = await get('/rest/default/V1/directory/countries');
    expect(all.status).toBe(200);
    expect((all.body as unknown as { id: string }[]).map((c) => c.id)).toContain('GB');
    expect(await get('/rest/V1/directory/countries/Atlantis')).toEqual({
      status: 404,
      body: { message: 'Requested country is not available.' },
    });
    // An unknown store code is still refused; any other route still needs the integration's credentials.
    expect((await get('/rest/nowhere/V1/directory/countries/US')).status).toBe(400);
    expect((await get('/rest/V1/customers/1')).status).toBe(401);
  });

  it('creates a product on PUT of an unknown SKU, and refuses one without what a new product needs', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    expect(
      await failure(client.call('products.update', { params: {}, body: { sku: 'NEW-1', price: 3 } })),
    ).toMatchObject({
      code: 'validation',
      status: 400,
      message: 'Invalid product data: [emulator] a new product needs at least name and price',
    });
    expect(m.state.products.has('NEW-1')).toBe(false);
    await client.call('products.update', { params: {}, body: { sku: 'NEW-1', name: 'New', price: 3 } });
    expect(m.state.products.get('NEW-1')).toMatchObject({ sku: 'NEW-1', name: 'New', price: 3, type_id: 'simple' });
  });

  it('saves a POST of a SKU the store has over that product, as a partial update', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    await client.call('products.create', { params: {}, body: { sku: 'MUG-1', name: 'Renamed by a create' } });
    expect(m.state.products.get('MUG-1')).toMatchObject({ id: 1, name: 'Renamed by a create', price: 12.5 });
    expect(m.state.products.size).toBe(4);
  });

  it('price APIs answer 200 with the rows they refuse, save the others, and replace a SKU’s tier prices', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    const row = { price_type: 'fixed', website_id: 0, quantity: 1 };
    await client.call('tier_prices.replace', {
      params: {},
      body: {
        sku: 'MUG-1',
        prices: [
          { ...row, customer_group: 'Wholesale', price: 10 },
          { ...row, customer_group: 'Retailer', price: 11 },
        ],
      },
    });
    expect(
      await failure(
        client.call('tier_prices.replace', {
          params: {},
          body: {
            sku: 'MUG-1',
            prices: [
              { ...row, customer_group: 'wholesale', price: 9 },
              { ...row, customer_group: 'Gold', price: 8 },
              { ...row, customer_group: 'Retailer', price: 7, website_id: 1 },
            ],
          },
        }),
      ),
    ).toMatchObject({
      code: 'validation',
      message:
        'No such entity with Customer Group = Gold. Row ID: SKU = MUG-1, Website ID: 0, Customer Group: Gold, Quantity: 1.; ' +
        'Invalid attribute Website ID = 1. Row ID: SKU = MUG-1, Website ID: 1, Customer Group: Retailer, Quantity: 1.',
    });
    // The valid row replaced the SKU's set (group codes compare without case).
    expect(m.state.tierPrices.get('MUG-1')).toEqual([{ ...row, customer_group: 'wholesale', price: 9, sku: 'MUG-1' }]);
    expect(
      await failure(
        client.call('special_prices.update', {
          params: {},
          body: {
            sku: 'MUG-1',
            prices: [
              { price: 9, store_id: 1 },
              { price: 8, store_id: 0, price_to: '2026-12-31' },
            ],
          },
        }),
      ),
    ).toMatchObject({
      code: 'validation',
      message:
        'Could not change non global Price when price scope is global. Row ID: SKU = MUG-1, Store ID: 1, Price From: , Price To: .; ' +
        'Invalid attribute Price To = 2026-12-31. Row ID: SKU = MUG-1, Store ID: 0, Price From: , Price To: 2026-12-31.',
    });
    expect(m.state.specialPrices.has('MUG-1')).toBe(false);
  });

  it('refunds an order into a credit memo, and refuses more than is left to refund with the validator’s message', async () => {
    const m = await start();
    const refund = (body: unknown) =>
      fetch(`${m.url}${'/rest/default/V1'}/order/1001/refund`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const login = await fetch(`${m.url}/rest/V1/integration/admin/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(MAGENTO_EMULATOR_ADMIN),
    });
    const token = (await login.json()) as string;
    const first = await refund({ items: [{ order_item_id: 10011, qty: 2 }], arguments: { shipping_amount: 0 } });
    expect([first.status, await first.json()]).toEqual([200, '1']);
    const memo = await clientFor(magento, m.url).call('creditmemos.get', { params: {}, body: { entity_id: 1 } });
    expect(memo.result).toMatchObject({
      order_id: 1001,
      state: 2,
      subtotal: 25,
      tax_amount: 2.06,
      discount_amount: -2.5,
      shipping_amount: 0,
      grand_total: 24.56,
      items: [{ order_item_id: 10011, sku: 'MUG-1', qty: 2, row_total: 25, tax_amount: 2.06, discount_amount: 2.5 }],
    });
    const again = await refund({ items: [{ order_item_id: 10011, qty: 1 }], arguments: { shipping_amount: 0 } });
    expect([again.status, await again.json()]).toEqual([
      400,
      {
        message:
          'Creditmemo Document Validation Error(s):\n' +
          'The quantity to creditmemo must not be greater than the unrefunded quantity for product SKU "MUG-1".\n' +
          "The credit memo's total must be positive.",
      },
    ]);
    expect(m.state.creditmemos.size).toBe(1);
  });

  it('answers a page past the last with no items and the real total; input limits cap the page size', async () => {
    const m = await start({ inputLimits: { maxPageSize: 300 } });
    const client = clientFor(magento, m.url);
    const page = (current: number) =>
      client.call('orders.search', {
        params: { updated_after: '2000-01-01 00:00:00', page_size: 1, current_page: current },
        body: {},
      });
    expect(((await page(1)).result as { items: unknown[] }).items).toHaveLength(1);
    expect((await page(2)).result).toMatchObject({ items: [], total_count: 1 });
    const big = await fetch(`${m.url}/rest/default/V1/orders?searchCriteria[pageSize]=301`, {
      headers: { authorization: 'Bearer magento-emulator-token' },
    });
    expect([big.status, await big.json()]).toEqual([
      400,
      { message: 'Maximum SearchCriteria pageSize is %max', parameters: { max: 300 } },
    ]);
  });

  it('polls customers keyed by entity_id, since the customer search has no `id` attribute: every page is read', async () => {
    const m = await start();
    const ada = m.state.customers.get(42)!;
    for (const id of [43, 44, 45]) m.state.customers.set(id, { ...ada, id, email: `c${id}@example.com` });
    const { result } = await clientFor(magento, m.url).call('customers.changes', {
      params: { since: '2026-11-01 00:00:00', page_size: 2 },
      body: {},
    });
    expect((result as { id: number }[]).map((c) => c.id)).toEqual([42, 43, 44, 45]);
    const searches = m.requests.filter((r) => r.path.endsWith('/customers/search'));
    expect(
      searches.map((r) => [
        r.query['searchCriteria[sortOrders][1][field]'],
        r.query['searchCriteria[filter_groups][1][filters][1][field]'],
        r.query['searchCriteria[filter_groups][1][filters][1][value]'],
      ]),
    ).toEqual([
      ['entity_id', undefined, undefined],
      ['entity_id', 'entity_id', '43'],
      ['entity_id', 'entity_id', '45'],
    ]);
    const byId = await fetch(
      `${m.url}/rest/default/V1/customers/search?searchCriteria[filter_groups][0][filters][0][field]=id&searchCriteria[filter_groups][0][filters][0][value]=42`,
      { headers: { authorization: 'Bearer magento-emulator-token' } },
    );
    expect([byId.status, await byId.json()]).toEqual([
      400,
      { message: 'The "%1" attribute name is invalid. Reset the name and try again.', parameters: ['id'] },
    ]);
  });

  it('finds the shipments of an order, with their items and tracking numbers', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    const tracks = [{ track_number: '1Z999', carrier_code: 'ups', title: 'UPS' }];
    await client.call('shipments.create', {
      params: {},
      body: { order_id: 1001, items: [{ order_item_id: 10011, qty: 1 }], tracks },
    });
    const found = (await client.call('shipments.search', { params: {}, body: { order_id: 1001 } })).result as {
      items: Record<string, unknown>[];
      total_count: number;
    };
    expect(found.total_count).toBe(1);
    expect(found.items[0]).toMatchObject({
      entity_id: 1,
      order_id: 1001,
      total_qty: 1,
      items: [{ order_item_id: 10011, qty: 1, sku: 'MUG-1' }],
      tracks: [{ ...tracks[0], order_id: 1001, parent_id: 1 }],
    });
    const none = await client.call('shipments.search', { params: {}, body: { order_id: 5555 } });
    expect(none.result).toMatchObject({ items: [], total_count: 0 });
  });

  it('finds the carts and negotiable quotes of a customer', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    await client.call('negotiable_quotes.draft', { params: {}, body: { customerId: 42 } });
    const found = (await client.call('carts.search', { params: {}, body: { customer_id: 42 } })).result as {
      items: { id: number; extension_attributes: { negotiable_quote: { status: string } } }[];
    };
    expect(found.items.map((q) => [q.id, q.extension_attributes.negotiable_quote.status])).toEqual([
      [31, 'draft_by_admin'],
    ]);
  });

  it('finds a customer’s newest cart first, also past the 20 carts a store with input limits answers by default', async () => {
    const m = await start({ inputLimits: { maxPageSize: 300 } });
    const client = clientFor(magento, m.url);
    const ids: number[] = [];
    for (let i = 0; i < 25; i++)
      ids.push(
        (
          (await client.call('negotiable_quotes.draft', { params: {}, body: { customerId: 42 } })).result as {
            id: number;
          }
        ).id,
      );
    // Magento applies the default page size to a search that names none.
    const unpaged = await fetch(
      `${m.url}/rest/default/V1/carts/search?searchCriteria[filter_groups][0][filters][0][field]=customer_id&searchCriteria[filter_groups][0][filters][0][value]=42`,
      { headers: { authorization: 'Bearer magento-emulator-token' } },
    );
    const page = (await unpaged.json()) as { items: unknown[]; total_count: number };
    expect([page.items.length, page.total_count]).toEqual([20, 25]);
    const found = (await client.call('carts.search', { params: {}, body: { customer_id: 42 } })).result as {
      items: { id: number }[];
    };
    expect(found.items.map((q) => q.id)).toEqual([...ids].reverse());
  });
});

describe('magento deadlocks', () => {
  it('answers product saves with 400 "Database deadlock…" and other calls with 500; both are retried', async () => {
    const m = await start();
    const client = clientFor(magento, m.url);
    await fetch(`${m.url}/__emulator/deadlock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ productSave: true, pathPrefix: '/rest/default/V1/products/' }),
    });
    m.failDeadlock({ productSave: true, lockWait: true });
    m.failDeadlock();
    const save = () => client.call('products.update', { params: {}, body: { sku: 'MUG-1', price: 9 } });
    const deadlock = await failure(save());
    const lockWait = await failure(save());
    const internal = await failure(save());
    expect(
      [deadlock, lockWait, internal].map((e) => [e.code, e.disposition, e.status, e.message.slice(0, 48)]),
    ).toEqual([
      ['row-lock', 'retryable', 400, 'Database deadlock found when trying to get lock'],
      ['row-lock', 'retryable', 400, 'Database lock wait timeout exceeded'],
      ['http-5xx', 'retryable', 500, 'Internal Error. Details are available in Magento'],
    ]);
    await save();
    expect(m.state.products.get('MUG-1')!.price).toBe(9);
  });
});

describe('magento authentication', () => {
  const oauth1 = (overrides: Partial<Record<string, string>> = {}): AuthSpec => ({
    type: 'oauth1',
    consumerKey: '${env:CK}',
    consumerSecret: '${env:CS}',
    accessToken: '${env:AT}',
    accessTokenSecret: '${env:ATS}',
    signatureMethod: 'HMAC-SHA256',
    ...overrides,
  });
  const env = {
    CK: MAGENTO_EMULATOR_INTEGRATION.consumerKey,
    CS: MAGENTO_EMULATOR_INTEGRATION.consumerSecret,
    AT: MAGENTO_EMULATOR_INTEGRATION.accessToken,
    ATS: MAGENTO_EMULATOR_INTEGRATION.accessTokenSecret,
  };

  it('signs requests with OAuth 1.0a HMAC-SHA256: queries with spaces and brackets, and JSON bodies', async () => {
    const m = await start({ bearerIntegrationTokens: false });
    const client = clientFor(magento, m.url, oauth1(), env);
    await client.call('orders.search', { params: { updated_after: '2026-01-01 00:00:00' }, body: {} });
    await client.call('products.update', { params: {}, body: { sku: 'MUG-1', price: 8 } });
    expect(m.state.products.get('MUG-1')!.price).toBe(8);
    const header = m.requests.at(-1)!.headers.authorization;
    expect(header).toMatch(/^OAuth oauth_consumer_key="magento-emulator-consumer-key", oauth_nonce="\w+", /);
    expect(header).toContain('oauth_signature_method="HMAC-SHA256"');
    expect(header).toContain('oauth_token="magento-emulator-token"');
  });

  it('refuses a wrong signature (401), HMAC-SHA1 (400), and the integration token as a bearer by default', async () => {
    const m = await start({ bearerIntegrationTokens: false });
    const wrong = await failure(
      clientFor(magento, m.url, oauth1(), { ...env, ATS: 'not-the-secret' }).call('products.get', {
        params: {},
        body: { sku: 'MUG-1' },
      }),
    );
    expect([wrong.code, wrong.disposition, wrong.status, wrong.message]).toEqual([
      'auth',
      'permanent',
      401,
      'The signature is invalid. Verify and try again.',
    ]);
    const sha1 = await failure(
      clientFor(magento, m.url, oauth1({ signatureMethod: 'HMAC-SHA1' }), env).call('products.get', {
        params: {},
        body: { sku: 'MUG-1' },
      }),
    );
    expect([sha1.code, sha1.status, sha1.message]).toEqual([
      'validation',
      400,
      'Signature method HMAC-SHA1 is not supported',
    ]);
    const bearer = await failure(
      clientFor(magento, m.url).call('products.get', { params: {}, body: { sku: 'MUG-1' } }),
    );
    expect([bearer.code, bearer.status, bearer.message]).toEqual([
      'auth',
      401,
      "The consumer isn't authorized to access Magento_Sales::sales.",
    ]);
  });

  it('logs in for an admin token (a JWT), uses it until it expires, then logs in again once', async () => {
    const m = await start({ bearerIntegrationTokens: false, adminTokenTtlMs: 15 * 60_000 });
    const admin: AuthSpec = {
      type: 'magento_admin_token',
      username: '${env:MAGENTO_ADMIN}',
      password: '${env:MAGENTO_PASSWORD}',
      tokenUrl: '/rest/V1/integration/admin/token',
    };
    const client = clientFor(magento, m.url, admin, {
      MAGENTO_ADMIN: MAGENTO_EMULATOR_ADMIN.username,
      MAGENTO_PASSWORD: MAGENTO_EMULATOR_ADMIN.password,
    });
    const read = () => client.call('products.get', { params: {}, body: { sku: 'MUG-1' } });
    await read();
    await read();
    m.expireTokens();
    await read();
    const logins = m.requests.filter((r) => r.path === '/rest/V1/integration/admin/token');
    expect(logins.map((r) => r.body)).toEqual([MAGENTO_EMULATOR_ADMIN, MAGENTO_EMULATOR_ADMIN]);
    const calls = m.requests.filter((r) => r.path.endsWith('/products/MUG-1')).map((r) => r.headers.authorization);
    expect(calls).toHaveLength(4);
    expect([calls[0] === calls[1], calls[1] === calls[2], calls[2] === calls[3]]).toEqual([true, true, false]);
    const token = String(calls[3]).replace('Bearer ', '');
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
      iat: number;
      exp: number;
    };
    expect(payload.exp - payload.iat).toBe(900);
    const refused = await failure(
      clientFor(magento, m.url, admin, { MAGENTO_ADMIN: 'junction-admin', MAGENTO_PASSWORD: 'wrong' }).call(
        'products.get',
        { params: {}, body: { sku: 'MUG-1' } },
      ),
    );
    expect([refused.code, refused.disposition, refused.status]).toEqual(['auth', 'permanent', 401]);
  });
});
