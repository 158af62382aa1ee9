/** Behaviour specific to each vendor that the seeds rely on, checked against the emulators through the real client. */
import { afterEach, describe, expect, it } from 'vitest';
import { startM3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import type { M3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import { placeQuoteOrder, startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import type { MagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { EmulatorServer } from '../../engine/sdk/index.js';
import { MAGENTO_TIME, connectionTo, registry } from './connector-fixtures.js';
import type { ConnectorFixture } from './connector-fixtures.js';
import { inforM3, magento } from './fixtures/index.js';

let emulator: EmulatorServer | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

const clientFor = (fixture: ConnectorFixture, url: string) =>
  createConnectionClient({
    connection: connectionTo(fixture, url),
    connector: registry.get(fixture.id)!,
    env: fixture.env,
  });

describe('magento', () => {
  it('updates a product partially: name, description, SEO fields and media stay untouched; custom attributes merge by code', async () => {
    const m = (emulator = await startMagentoEmulator()) as MagentoEmulator;
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
    const m = (emulator = await startMagentoEmulator()) as MagentoEmulator;
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
        "Shipment Document Validation Error(s):\nYou can't create a shipment with a quantity of 3 for item MUG-1.",
    });
    await expect(client.call('shipments.create', { params: {}, body: { order_id: 1001 } })).resolves.toMatchObject({
      result: { id: 1 },
    });
    await expect(client.call('shipments.create', { params: {}, body: { order_id: 1001 } })).rejects.toMatchObject({
      code: 'validation',
      message: 'Shipment Document Validation Error(s):\nThe order does not allow a shipment to be created.',
    });
    expect(m.state.shipments.map((s) => s.items)).toEqual([
      [10011, 10012, 10014].map((id) => ({ order_item_id: id, qty: id === 10011 ? 2 : 1 })),
    ]);
  });

  it('reports every MSI validation failure of a source item', async () => {
    emulator = await startMagentoEmulator();
    await expect(
      clientFor(magento, emulator.url).call('source_items.save', {
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
    const m = (emulator = await startMagentoEmulator()) as MagentoEmulator;
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
    const m = (emulator = await startMagentoEmulator()) as MagentoEmulator;
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
    const m = (emulator = await startMagentoEmulator()) as MagentoEmulator;
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

describe('infor_m3', () => {
  it("passes AddHead's order number to AddLine, and numbers lines per order", async () => {
    const m3 = (emulator = await startM3Emulator()) as M3Emulator;
    const client = clientFor(inforM3, m3.url);
    const head = await client.call('OIS100MI/AddHead', {
      params: {},
      body: { CUNO: '10042', ORTP: 'A01', ORDT: '20261120' },
    });
    const { ORNO } = head.result as { ORNO: string };
    const lines = [];
    for (const ITNO of ['MUG-1', 'MUG-1'])
      lines.push((await client.call('OIS100MI/AddLine', { params: {}, body: { ORNO, ITNO, ORQT: 2 } })).result);
    expect({ ORNO, lines }).toEqual({ ORNO: '1000001', lines: [{ PONR: '1' }, { PONR: '2' }] });
    await expect(
      client.call('OIS100MI/AddLine', { params: {}, body: { ORNO, ITNO: 'MUG-1', ORQT: 'two' } }),
    ).rejects.toMatchObject({
      code: 'validation',
      vendorCode: 'WNU0101',
      field: 'ORQT',
      message: 'OIS100MI/AddLine: ordered quantity two must be numeric',
    });
  });

  it('answers a bulk execute with one result per transaction and stops at the first NOK', async () => {
    const m3 = (emulator = await startM3Emulator()) as M3Emulator;
    const response = await fetch(`${m3.url}/m3api-rest/v2/execute`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('M3SRVADM:m3-emulator-password').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        program: 'CRS610MI',
        cono: 100,
        transactions: [
          { transaction: 'GetBasicData', record: { CUNO: '10042' } },
          { transaction: 'GetBasicData', record: { CUNO: 'NOPE' } },
          { transaction: 'GetBasicData', record: { CUNO: 'TEMPLATE' } },
        ],
      }),
    });
    const body = (await response.json()) as {
      results: { transaction: string; errorMessage?: string }[];
      wasTerminated: boolean;
      nrOfSuccessfullTransactions: number;
      nrOfFailedTransactions: number;
    };
    expect({ ...body, results: body.results.map((r) => [r.transaction, r.errorMessage?.trimEnd()]) }).toEqual({
      results: [
        ['GetBasicData', undefined],
        ['GetBasicData', 'Customer NOPE does not exist'],
      ],
      wasTerminated: true,
      nrOfSuccessfullTransactions: 1,
      nrOfFailedTransactions: 1,
    });
  });
});
