/**
 * The recorded Salesforce/FinancialForce and Magento exchanges of specs/magento-ff and specs/service-app-salesforce,
 * checked against the vendors. Every recorded answer must have the vendor's shape: an 18-character record id ends in
 * the case-check suffix of its first 15 (Salesforce refuses any other as MALFORMED_ID), a Salesforce error is a JSON
 * array of {message, errorCode} (with the `fields` list where the error names fields), a Magento error is
 * {message, parameters?}, a shipment or invoice Magento creates is answered with its id as a JSON string.
 * The cases of the integrations in REPLAYED are also run as `junction test` runs them (a dry run on their recorded
 * responses), and every call they send is then sent, in the same order, to a fresh emulator that holds what the
 * case's story says the vendor holds (GIVEN); its answer must be the recorded one (status and the whole body;
 * Magento's timestamps compared by format). So the fixtures the PR dry run trusts and the emulators the e2e tests run
 * against cannot drift apart unseen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { basename } from 'node:path';
import { compileDirectory, createWiring } from '../../engine/cli/wiring.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import { dryRun } from '../../engine/plan/dry-run.js';
import { loadCases } from '../../engine/plan/spec-tests/load-cases.js';
import type { LoadedCase } from '../../engine/plan/spec-tests/load-cases.js';
import { MAGENTO_EMULATOR_TOKEN, addCompany, startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import type { MagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { sampleOrder } from '../../connectors/magento/emulator/state.js';
import { invoiceOrder } from '../../connectors/magento/emulator/order-routes.js';
import { placeQuoteOrder } from '../../connectors/magento/emulator/quote-routes.js';
import { refundOrder } from '../../connectors/magento/emulator/creditmemo-routes.js';
import type { RefundRequest } from '../../connectors/magento/emulator/creditmemo-routes.js';
import { SALESFORCE_EMULATOR_CLIENT, startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { canonicalId, caseSuffix } from '../../connectors/salesforce/emulator/record-ids.js';
import { SOBJECT_SCHEMAS } from '../../connectors/salesforce/schemas/index.js';

/** One call a case sent, as the connector put it on the wire, with the recorded answer. */
interface Exchange {
  method: string;
  url: URL;
  body?: string;
  status: number;
  answer: unknown;
}
interface SpecDir {
  specSet: CompiledSpecSet;
  cases: LoadedCase[];
}

const DIRS = ['magento-ff', 'service-app-salesforce'];
/** The integrations whose every case is replayed against the emulators (the others get the shape checks). */
const REPLAYED = [
  'ad-usage-to-salesforce',
  'ff-fulfilment-to-magento-shipments',
  'ff-prices-stock-to-magento',
  'magento-orders-to-ff-invoices',
  'magento-invoice-payments-to-ff-cash-entries',
  'magento-creditmemos-to-ff-credit-notes',
  'ff-invoice-payments-to-magento-orders',
  'magento-customers-to-ff-accounts',
  'ff-quotes-to-magento-quotes',
  'ff-open-invoices-to-magento-quotes',
  'ff-products-to-magento-catalog',
  'ff-accounts-to-magento-customers',
];
/** The integrations whose Magento reads are checked for the fields Magento always answers. */
const READS_CHECKED = [
  'magento-orders-to-ff-invoices',
  'magento-invoice-payments-to-ff-cash-entries',
  'magento-creditmemos-to-ff-credit-notes',
  'ff-invoice-payments-to-magento-orders',
  'magento-customers-to-ff-accounts',
  'ff-products-to-magento-catalog',
  'ff-accounts-to-magento-customers',
];
const wiring = createWiring({ env: {} });
const dirs: SpecDir[] = [];
/** The org of the case being replayed: `plainOrg`, or `picklistOrg` for a case whose story says so. */
let sf: SalesforceEmulator;
let plainOrg: SalesforceEmulator;
/** An org with State and Country/Territory Picklists on (an org setting, so an org of its own). */
let picklistOrg: SalesforceEmulator;
let magento: MagentoEmulator;

beforeAll(async () => {
  for (const dir of DIRS) {
    const { result, tree } = await compileDirectory(
      wiring,
      fileURLToPath(new URL(`../../specs/${dir}`, import.meta.url)),
    );
    dirs.push({ specSet: result.specSet!, cases: loadCases(result, tree) });
  }
  [plainOrg, picklistOrg, magento] = await Promise.all([
    startSalesforceEmulator(),
    startSalesforceEmulator({ countryPicklists: true }),
    startMagentoEmulator(),
  ]);
  sf = plainOrg;
});
afterAll(async () => Promise.all([plainOrg?.stop(), picklistOrg?.stop(), magento?.stop()]));

const isSalesforce = (url: URL) => url.pathname.startsWith('/services/');
const title = (c: LoadedCase) => `${c.integration} / ${c.name}`;

/** The vendor calls of a case (the token call the dry run answers itself left out), with the recorded answers. */
async function exchangesOf(specSet: CompiledSpecSet, c: LoadedCase): Promise<Exchange[]> {
  const exchanges: Exchange[] = [];
  await dryRun(specSet, wiring.connectors, {
    ...c.input!,
    tap: (request, response) =>
      exchanges.push({
        method: request.method,
        url: new URL(request.url),
        body: request.body,
        status: response.status,
        answer: response.body === '' ? undefined : JSON.parse(response.body),
      }),
  });
  return exchanges.filter((e) => e.url.pathname !== '/services/oauth2/token');
}

/** Why a recorded answer is not one the vendor gives (none when it is). */
function shapeProblems(e: Exchange): string[] {
  const problems: string[] = [];
  if (isSalesforce(e.url)) {
    problems.push(...badIds(e.answer));
    if (e.url.pathname.endsWith('/query') && e.status === 200) problems.push(...unselected(e));
    if (e.status >= 400) {
      const errors = e.answer as { message?: unknown; errorCode?: unknown; fields?: unknown }[];
      if (
        !Array.isArray(errors) ||
        errors.some(
          (x) =>
            typeof x.message !== 'string' ||
            typeof x.errorCode !== 'string' ||
            (x.fields !== undefined && !Array.isArray(x.fields)),
        )
      )
        problems.push(`error ${JSON.stringify(e.answer)} is not a list of {message, errorCode, fields?}`);
    }
  } else {
    const error = e.answer as { message?: unknown; parameters?: unknown };
    const parameters = error?.parameters;
    if (e.status >= 400 && (typeof error?.message !== 'string' || (parameters !== undefined && !isObject(parameters))))
      problems.push(`error ${JSON.stringify(e.answer)} is not {message, parameters?}`);
    // ShipOrder and InvoiceOrder return the new document's id, which the REST layer sends as a JSON string.
    if (e.status === 200 && /\/V1\/order\/\d+\/(ship|invoice)$/.test(e.url.pathname) && typeof e.answer !== 'string')
      problems.push(`answer ${JSON.stringify(e.answer)}: Magento answers the new document's id as a JSON string`);
  }
  return problems;
}

/**
 * Fields a query asked for that a record it answers lacks: Salesforce lists every selected field, null when unset (a
 * parent by its relationship name, a subquery by its child relationship), so a record without one would let a
 * transform pass here that does something else for the real record.
 */
function unselected(e: Exchange): string[] {
  const select = /^SELECT\s+(.*?)\s+FROM\s+\w+(\s|$)/is.exec(e.url.searchParams.get('q') ?? '')?.[1] ?? '';
  let depth = 0;
  let field = '';
  const fields: string[] = [];
  for (const ch of `${select},`) {
    if (ch === ',' && depth === 0) {
      fields.push(field.trim());
      field = '';
      continue;
    }
    depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    field += ch;
  }
  // The name a field is answered under: a parent field by its relationship, a subquery by its child relationship.
  const names = fields.map((f) => (f.startsWith('(') ? /FROM\s+(\w+)/i.exec(f)![1] : f.split('.')[0]));
  const records = (e.answer as { records?: Record<string, unknown>[] }).records ?? [];
  return records.flatMap((record, i) => {
    const lacking = names.filter((name) => !Object.keys(record).some((k) => k.toLowerCase() === name.toLowerCase()));
    return lacking.length ? [`record ${i} lacks ${lacking.join(', ')}, which the query selects`] : [];
  });
}

const isObject = (value: unknown) => typeof value === 'object' && value !== null;

/** Salesforce record ids (18 characters) whose last 3 are not the case-check suffix of the first 15. */
function badIds(value: unknown, key = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => badIds(v, key));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => badIds(v, k));
  const looksLikeId = typeof value === 'string' && /^[a-zA-Z0-9]{3}0{4}[a-zA-Z0-9]{8}[A-Z0-5]{3}$/.test(value);
  if (!looksLikeId || !/(^id$|Id$|__c$|^recordIds$)/i.test(key)) return [];
  const suffix = caseSuffix(value.slice(0, 15));
  return value.slice(15) === suffix ? [] : [`${key} ${value} is no record id: its case-check suffix is ${suffix}`];
}

describe('recorded Salesforce and Magento answers of specs/magento-ff and specs/service-app-salesforce', () => {
  it("every recorded answer, and every record id an event names, has the vendor's shape", async () => {
    const problems: string[] = [];
    let exchanges = 0;
    for (const { specSet, cases } of dirs)
      for (const c of cases.filter((c) => c.input)) {
        for (const id of badIds(c.input!.event)) problems.push(`${basename(c.file)} "${c.name}" event: ${id}`);
        for (const e of await exchangesOf(specSet, c)) {
          exchanges++;
          for (const p of shapeProblems(e))
            problems.push(`${basename(c.file)} "${c.name}" ${e.method} ${e.url.pathname}: ${p}`);
        }
      }
    expect(problems).toEqual([]);
    expect(exchanges).toBeGreaterThan(300);
  });
});

/**
 * The fields Magento always answers for a record it read, by entity: the REST layer leaves out a getter's null
 * (DataObjectProcessor), so these are the ones a stored record never has null. A fixture without one lets a transform
 * pass here that meets the field on a real store (docs/connectors.md, "Magento records as read").
 */
const ALWAYS: Record<string, { fields: string[]; lists?: Record<string, string[]> }> = {
  order: {
    fields: [
      ...['entity_id', 'increment_id', 'state', 'status', 'created_at', 'updated_at', 'customer_email'],
      ...['order_currency_code', 'subtotal', 'grand_total', 'items', 'billing_address', 'payment'],
    ],
    lists: {
      items: ['item_id', 'sku', 'name', 'product_type', 'qty_ordered', 'qty_shipped', 'qty_invoiced', 'price'],
    },
  },
  customer: {
    fields: [
      ...['id', 'email', 'firstname', 'lastname', 'group_id', 'store_id', 'website_id', 'created_at', 'updated_at'],
      'extension_attributes', // 2.4's Newsletter module answers is_subscribed on every customer read and save
    ],
    lists: {
      addresses: ['id', 'customer_id', 'firstname', 'lastname', 'street', 'city', 'country_id', 'region', 'region_id'],
    },
  },
  invoice: {
    fields: ['entity_id', 'increment_id', 'order_id', 'state', 'created_at', 'updated_at', 'grand_total'],
    lists: { items: ['entity_id', 'parent_id', 'order_item_id', 'sku', 'name', 'qty', 'price'] },
  },
  creditmemo: {
    fields: ['entity_id', 'increment_id', 'order_id', 'state', 'created_at', 'updated_at', 'grand_total'],
    lists: { items: ['entity_id', 'parent_id', 'order_item_id', 'sku', 'name', 'qty', 'price'] },
  }, // catalog_product_entity's NOT NULL columns (a product read by its SKU has one), and the lists ProductInterface
  // answers on every read ([] when empty: product-answer.ts).
  product: {
    fields: [
      ...['id', 'sku', 'attribute_set_id', 'type_id', 'created_at', 'updated_at'],
      ...['product_links', 'options', 'media_gallery_entries', 'tier_prices'],
    ],
  },
};
/** Fields a case's event leaves out on purpose: the case guards against a record Magento itself never sends. */
const LEFT_OUT: Record<string, string[]> = {
  'magento-customers-to-ff-accounts / guests without an e-mail are skipped': ['email'],
};
/** The entity each Magento-sourced integration's events are. */
const EVENT_ENTITY: Record<string, string> = {
  'magento-orders-to-ff-invoices': 'order',
  'magento-customers-to-ff-accounts': 'customer',
  'magento-invoice-payments-to-ff-cash-entries': 'invoice',
  'magento-creditmemos-to-ff-credit-notes': 'creditmemo',
};
/** The entity a Magento read answers with (one record or a search's `items`), by its route. */
function readEntity(url: URL): string | undefined {
  if (/\/V1\/products\/[^/]+$/.test(url.pathname)) return 'product';
  const route = /\/V1\/(orders|customers|invoices|creditmemos?)(\/\d+|\/search)?$/.exec(url.pathname);
  if (!route) return undefined;
  return { orders: 'order', customers: 'customer', invoices: 'invoice', creditmemo: 'creditmemo' }[
    route[1].replace(/^creditmemos$/, 'creditmemo')
  ];
}
/** What a Magento record lacks of the fields Magento always answers for its entity. */
function lacking(entity: string, record: Record<string, unknown>): string[] {
  const { fields, lists = {} } = ALWAYS[entity];
  const out = fields.filter((f) => record[f] === undefined || record[f] === null);
  for (const [list, itemFields] of Object.entries(lists))
    ((record[list] ?? []) as Record<string, unknown>[]).forEach((item, i) => {
      const missing = itemFields.filter((f) => item[f] === undefined || item[f] === null);
      if (missing.length) out.push(`${list}[${i}].{${missing.join(', ')}}`);
    });
  if (entity === 'customer') out.push(...defaultsAsAnswered(record));
  return out;
}

/**
 * A customer's defaults as Magento answers them (docs/connectors.md, "A customer save answers…"): the customer names
 * its default address's id as text, and an address carries `default_billing`/`default_shipping` only as true, on the
 * default address.
 */
function defaultsAsAnswered(customer: Record<string, unknown>): string[] {
  const addresses = (customer.addresses ?? []) as Record<string, unknown>[];
  return (['default_billing', 'default_shipping'] as const).flatMap((flag) => {
    const flagged = addresses.filter((a) => a[flag] !== undefined);
    const named = customer[flag];
    const wrong = flagged.filter((a) => a[flag] !== true || String(a.id) !== named);
    if (wrong.length) return [`addresses ${wrong.map((a) => a.id).join(', ')} ${flag} ≠ the customer's ${flag}`];
    if (named !== undefined && (typeof named !== 'string' || flagged.length !== 1))
      return [`${flag} ${JSON.stringify(named)}: the id, as text, of the one address flagged true`];
    return [];
  });
}

describe('Magento records the cases read', () => {
  it('carry every field Magento always answers for them', async () => {
    const problems: string[] = [];
    for (const { specSet, cases } of dirs)
      for (const c of cases.filter((c) => c.input && READS_CHECKED.includes(c.integration))) {
        const at = `${basename(c.file)} "${c.name}"`;
        const eventEntity = EVENT_ENTITY[c.integration];
        const event = c.input!.event as Record<string, unknown> | undefined;
        const leftOut = LEFT_OUT[title(c)] ?? [];
        const missing = eventEntity && event ? lacking(eventEntity, event).filter((f) => !leftOut.includes(f)) : [];
        if (missing.length) problems.push(`${at} event lacks ${missing.join(', ')}`);
        for (const e of await exchangesOf(specSet, c)) {
          const entity = e.status === 200 && e.method === 'GET' ? readEntity(e.url) : undefined;
          if (!entity) continue;
          const answer = e.answer as { items?: Record<string, unknown>[] } & Record<string, unknown>;
          // One record by its id (a product by its SKU), else a search's items.
          const one = entity === 'product' || /\/\d+$/.test(e.url.pathname);
          const records = one ? [answer] : (answer.items ?? []);
          records.forEach((r, i) => {
            const gaps = lacking(entity, r);
            if (gaps.length) problems.push(`${at} GET ${e.url.pathname} record ${i} lacks ${gaps.join(', ')}`);
          });
        }
      }
    expect(problems).toEqual([]);
    const titles = dirs.flatMap((d) => d.cases.map(title));
    expect(Object.keys(LEFT_OUT).filter((name) => !titles.includes(name))).toEqual([]);
  });
});

/**
 * What the vendors hold for a case: `before` the event, and `during` it, just before a call (`step` or `step[i]`);
 * `countryPicklists` when the case's org has State and Country/Territory Picklists on.
 */
interface Given {
  countryPicklists?: true;
  before?: () => Promise<void>;
  during?: Record<string, () => Promise<void>>;
}

let sfToken = '';
async function send(url: URL, method: string, body?: string): Promise<{ status: number; answer: unknown }> {
  const [base, authorization] = isSalesforce(url)
    ? [sf.url, `Bearer ${sfToken}`]
    : [magento.url, `Bearer ${MAGENTO_EMULATOR_TOKEN}`];
  const headers = { authorization, 'content-type': 'application/json' };
  const response = await fetch(base + url.pathname + url.search, { method, headers, body });
  const text = await response.text();
  return { status: response.status, answer: text === '' ? undefined : JSON.parse(text) };
}
/** A call made as part of a case's story; it must succeed. */
async function given(method: string, path: string, body?: object): Promise<unknown> {
  const url = new URL(path, 'http://vendor');
  const { status, answer } = await send(url, method, body && JSON.stringify(body));
  if (status >= 300) throw new Error(`given ${method} ${path}: ${status} ${JSON.stringify(answer)}`);
  return answer;
}
async function resetVendors(): Promise<void> {
  await Promise.all([sf, magento].map((v) => fetch(`${v.url}/__emulator/reset`, { method: 'POST' })));
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: SALESFORCE_EMULATOR_CLIENT.clientId,
    client_secret: SALESFORCE_EMULATOR_CLIENT.clientSecret,
  });
  sfToken = (
    (await (await fetch(`${sf.url}/services/oauth2/token`, { method: 'POST', body: form })).json()) as {
      access_token: string;
    }
  ).access_token;
}

const SF = '/services/data/v60.0';
const contract = (number: string) => sf.records('Contract').find((c) => c.ContractNumber === number)!;
/** The usage entry of ad 7001 on C-1001, with the id the org issued it. */
const usageEntry = async () => {
  sf.state.counter = 8; // the org's next id is then a0U000000000009EAA
  await given('PATCH', `${SF}/sobjects/Usage_Entry__c/External_Id__c/ad-7001`, {
    Contract__c: contract('C-1001').Id,
    Product_Type__c: 'Display Banner',
    Units__c: 3,
    Usage_Date__c: '2026-11-21',
  });
};
const MG = '/rest/default/V1';
const shipment = (fulfilment: string, items: { order_item_id: number; qty: number }[]) =>
  given('POST', `${MG}/order/1001/ship`, {
    items,
    tracks: [{ track_number: '1Z999AA10123456784', carrier_code: 'ups', title: 'UPS' }],
    comment: { comment: `FinancialForce fulfilment ${fulfilment}`, is_visible_on_front: 0 },
  });

/** An order the store shipped and invoiced (the invoice a case's event is). */
const shippedAndInvoiced = async (orderId: number) => {
  const order = magento.state.orders.get(orderId)!;
  if ((order.items as { product_type?: string }[]).some((i) => i.product_type !== 'virtual'))
    await given('POST', `${MG}/order/${orderId}/ship`, {});
  invoiceOrder(magento.state, orderId);
};
const ADA = {
  customer_id: 42,
  customer_email: 'ada@example.com',
  customer_firstname: 'Ada',
  customer_lastname: 'Lovelace',
};
/** The seed order's shipping (its address), for another order of the same customer. */
const sampleShipping = () =>
  (sampleOrder(0).extension_attributes as { shipping_assignments: { shipping: Record<string, unknown> }[] })
    .shipping_assignments[0].shipping;
/** A line of order 2001 as placed (nothing shipped, invoiced or refunded yet). */
const onAccountLine = (item_id: number, sku: string, name: string, qty: number, price: number, tax: number) => ({
  ...{ item_id, sku, name, product_type: 'simple', qty_ordered: qty, qty_shipped: 0, qty_invoiced: 0, qty_refunded: 0 },
  ...{ price, row_total: price * qty, tax_amount: tax, tax_percent: 8.25, discount_amount: 0 },
});
const ON_ACCOUNT_MUG = [onAccountLine(20011, 'MUG-1', 'Enamel Mug', 2, 12.5, 2.06)];
/** Order 2001, paid on account (purchase order): one mug line, no shipping charge. */
const onAccountOrder = (lines = ON_ACCOUNT_MUG) =>
  magento.state.orders.set(
    2001,
    sampleOrder(2001, {
      ...ADA,
      increment_id: '000002001',
      quote_id: 1017,
      state: 'processing',
      status: 'processing',
      created_at: '2026-12-01 10:00:00',
      subtotal: 25,
      discount_amount: 0,
      shipping_amount: 0,
      shipping_tax_amount: 0,
      tax_amount: 2.06,
      grand_total: 27.06,
      items: lines,
      shipping_description: 'Free Shipping - Free',
      payment: { method: 'purchaseorder', po_number: 'PO-77', additional_information: [] },
      extension_attributes: {
        shipping_assignments: [{ shipping: { ...sampleShipping(), method: 'freeshipping_freeshipping' } }],
        applied_taxes: [{ code: 'US-CA-*-Rate 1', title: 'US-CA', percent: 8.25, amount: 2.06 }],
      },
    }),
  );
/** Order 5001, placed from the invoice-payment quote 31 (virtual: no shipping), paid at checkout. */
const invoicePaymentOrder = () =>
  magento.state.orders.set(
    5001,
    sampleOrder(5001, {
      ...ADA,
      increment_id: '000005001',
      quote_id: 31,
      created_at: '2026-11-25 14:02:11',
      subtotal: 1240.5,
      discount_amount: 0,
      shipping_amount: 0,
      shipping_tax_amount: 0,
      tax_amount: 0,
      grand_total: 1240.5,
      items: [
        {
          ...{ item_id: 50011, sku: 'INVOICE-PAYMENT', name: 'Invoice payment', product_type: 'virtual' },
          ...{ qty_ordered: 1, qty_shipped: 0, qty_invoiced: 0, qty_refunded: 0, price: 1240.5, row_total: 1240.5 },
          ...{ tax_amount: 0, tax_percent: 0, discount_amount: 0 },
        },
      ],
      shipping_description: undefined, // virtual: nothing ships
      payment: { method: 'braintree', last_trans_id: 'ch_3PQ9x2', amount_paid: 1240.5, additional_information: [] },
      extension_attributes: { applied_taxes: [] },
    }),
  );
const CASH = 'magento-invoice-payments-to-ff-cash-entries';

/**
 * Order 1001 shipped and invoiced, its cap taxed by another rule (New York's, so each line's own tax code shows),
 * then refunded as the case's credit memo (the memo is the event; the order is read after it).
 */
const refundedOrder = (lines: [number, number][], refunded: RefundRequest['arguments']) => async () => {
  await shippedAndInvoiced(1001);
  const taxes = magento.state.orders.get(1001)!.extension_attributes as {
    item_applied_taxes: Record<string, unknown>[];
  };
  const cap = taxes.item_applied_taxes.find((t) => t.item_id === 10014)!;
  cap.applied_taxes = [{ code: 'US-NY-*-Rate 1', title: 'US-NY', percent: 8.875, amount: 0.93, base_amount: 0.93 }];
  const items = lines.map(([id, qty]) => ({ order_item_id: id, qty }));
  const refund = refundOrder(magento.state, 1001, { items, arguments: refunded });
  if ('error' in refund) throw new Error(`refund: ${JSON.stringify(refund.error)}`);
};
const MEMO = 'magento-creditmemos-to-ff-credit-notes';

/** Order 2001 of ff-invoice-payments-to-magento-orders (a mug and a cap, paid on account), shipped: FF bills it. */
const twoLinesOnAccount = () => {
  onAccountOrder([
    onAccountLine(20011, 'MUG-1', 'Enamel Mug', 2, 12.5, 2.06),
    onAccountLine(20012, 'CAP-1', 'Canvas Cap', 1, 18, 1.49),
  ]);
  Object.assign(magento.state.orders.get(2001)!, { subtotal: 43, tax_amount: 3.55, grand_total: 46.55 });
};
const shippedOnAccount = async () => {
  twoLinesOnAccount();
  await given('POST', `${MG}/order/2001/ship`, {});
};
const PAID_IN_FF = { comment: 'Paid in FinancialForce: invoice SIN000201', is_visible_on_front: 1 };
/** FF's invoice of order 2001 as this flow sends it (offline: the money is in FF). */
const invoicedFromFF = () =>
  given('POST', `${MG}/order/2001/invoice`, { capture: false, notify: true, appendComment: true, comment: PAID_IN_FF });
const PAY = 'ff-invoice-payments-to-magento-orders';

/** The account customer 77 was linked to (by its first sync, or by e-mail before go-live). */
const LINKED_ACCOUNT = '001000000000555AAA';
/**
 * What FinancialForce holds for that account before Magento's first sync of its addresses: the contact FF made the
 * customer from (same e-mail, another case, no Magento id), the billing address FF typed in (not linked yet), an
 * address Magento sent once (499, since deleted by the customer) and one FF added that Magento lacks.
 */
const ffsOwnContactAndAddresses = async () => {
  sf.store.insert('Contact', {
    ...{ Id: '003000000000555AAA', AccountId: LINKED_ACCOUNT, FirstName: 'Grace', LastName: 'Hopper' },
    Email: 'Grace@Example.com',
  });
  const address = (Id: string, magentoId: string | null, Street: string, City: string, PostalCode: string) =>
    sf.store.insert('ContactPointAddress', {
      ...{ Id, ParentId: LINKED_ACCOUNT, Name: `${Street.split('\n')[0]}, ${City}`, Magento_Address_Id__c: magentoId },
      ...{ Street, City, PostalCode },
    });
  address('8lW000000000900EAA', null, '1 Navy Way\nSuite 2', 'Arlington', '22202');
  address('8lW000000000499EAA', '499', '4 Old Rd', 'Norfolk', '23510');
  address('8lW000000000901EAA', null, '12 Harbor Ln', 'Norfolk', '23510');
};
const CUST = 'magento-customers-to-ff-accounts';

/** The store's next negotiable quote (cart) id is `id`. */
const nextQuote = (id: number) => async () => void (magento.state.nextId.quote = id);
/** Quote 41, as this flow sent FF quote 00000077 earlier (drafted for Ada, filled, priced, sent to her). */
const sentQuote41 = async () => {
  magento.state.nextId.quote = 41;
  await given('POST', `${MG}/negotiableQuote/draft`, { customerId: 42 });
  const negotiable_quote = {
    ...{ quote_name: '00000077 Spring restock', negotiated_price_type: 3, negotiated_price_value: 405 },
    ...{ shipping_price: 15, expiration_period: '2026-12-31' },
  };
  const items = [
    { sku: 'MUG-1', qty: 20 },
    { sku: 'TEE-1', qty: 8 },
  ];
  await given('PUT', `${MG}/negotiableQuote/41`, {
    quote: { id: 41, items, extension_attributes: { negotiable_quote } },
  });
  await given('POST', `${MG}/negotiableQuote/submitToCustomer`, { quoteId: 41, files: [], comment: 'As agreed.' });
};
const QUOTE = 'ff-quotes-to-magento-quotes';

/** What this flow sends for FF invoice SIN000101 (1,240.50 USD open) to quote 31: its one line and its price. */
const fillInvoiceQuote31 = () =>
  given('PUT', `${MG}/negotiableQuote/31`, {
    quote: {
      ...{ id: 31, items: [{ sku: 'INVOICE-PAYMENT', qty: 1 }] },
      extension_attributes: {
        negotiable_quote: {
          ...{ quote_name: 'Invoice SIN000101 (due 2026-12-24)' },
          ...{ negotiated_price_type: 3, negotiated_price_value: 1240.5 },
        },
      },
    },
  });
const sendInvoiceQuote31 = () =>
  given('POST', `${MG}/negotiableQuote/submitToCustomer`, {
    files: [],
    quoteId: 31,
    comment: 'Invoice SIN000101: 1,240.50 USD open, due 2026-12-24. Place the order from this quote to pay it.',
  });
/** Quote 31 as this flow sent it for SIN000101 (the store's next quote id is 31). */
const sentInvoiceQuote31 = async () => {
  await given('POST', `${MG}/negotiableQuote/draft`, { customerId: 42 });
  await fillInvoiceQuote31();
  await sendInvoiceQuote31();
};
const negotiableStatus = (id: number, status: string) => {
  const quote = magento.state.negotiableQuotes.get(id)!;
  (quote.extension_attributes as { negotiable_quote: Record<string, unknown> }).negotiable_quote.status = status;
};
const OPEN = 'ff-open-invoices-to-magento-quotes';

/** The id of the org's price book of that name. */
const priceBook = (name: string) => String(sf.records('Pricebook2').find((b) => b.Name === name)!.Id);
/** A product the org sells online, with its price book entries ([price book, unit price, active]: 01u…E01, E02…). */
const orgProduct = (id15: string, fields: Record<string, unknown>, entries: [string, number, boolean][] = []) => {
  const Id = canonicalId(id15)!;
  sf.store.insert('Product2', { Id, Web_Visible__c: true, ...fields });
  entries.forEach(([book, UnitPrice, IsActive], i) =>
    sf.store.insert('PricebookEntry', {
      ...{ Id: canonicalId(`01u000000000E0${i + 1}`), Pricebook2Id: priceBook(book), Product2Id: Id },
      ...{ UnitPrice, IsActive },
    }),
  );
  return Id;
};
const MUG_2 = {
  ...{ ProductCode: 'MUG-2', Name: 'Stoneware Mug', Family: 'Kitchen', IsActive: true, Weight__c: 0.45 },
  Description: 'Stoneware mug, 350 ml, dishwasher safe.',
};
/** MUG-2 in the org with its five price book entries; the Web Sale price book runs over Christmas. */
const mug2InOrg = async () => {
  sf.store.update('Pricebook2', priceBook('Web Sale'), {
    ValidFrom: '2026-12-01T00:00:00.000+0000',
    ValidTo: '2027-01-06T23:59:59.000+0000',
  });
  orgProduct('01t000000000M2Q', MUG_2, [
    ['Standard Price Book', 14.499, true],
    ['Wholesale', 11.5, true],
    ['Wholesale 24+', 10, true],
    ['Key Accounts', 9, true],
    ['Web Sale', 12, true],
  ]);
};
/** MUG-2 as this flow created it in Magento, at its standard price then (12.50). */
const mug2InStore = () =>
  given('POST', `${MG}/products`, {
    product: {
      ...{ sku: 'MUG-2', name: 'Stoneware Mug', attribute_set_id: 9, type_id: 'simple', visibility: 4 },
      ...{ price: 12.5, weight: 0.45, status: 1 },
      extension_attributes: {
        category_links: [
          { position: 0, category_id: '3' },
          { position: 0, category_id: '11' },
        ],
      },
      custom_attributes: [
        { attribute_code: 'description', value: 'Stoneware mug, 350 ml, dishwasher safe.' },
        { attribute_code: 'url_key', value: 'mug-2' },
      ],
    },
  });
/** MUG-2 in the org with only some of its price book entries, and in the store as this flow created it. */
const mug2With = (entries: [string, number, boolean][]) => async () => {
  orgProduct('01t000000000M2Q', { ...MUG_2, Description: null }, entries);
  await mug2InStore();
};
/** The linen tee family in the org: TEE-2 and its variant TEE-2-M (size M). */
const teeFamilyInOrg = () => {
  const parent = orgProduct('01t000000000T2P', { ProductCode: 'TEE-2', Name: 'Linen Tee', Family: 'Apparel' });
  orgProduct(
    '01t000000000T2M',
    {
      ...{ ProductCode: 'TEE-2-M', Name: 'Linen Tee - M', Family: 'Apparel', IsActive: true, Weight__c: 0.2 },
      ...{ Variant_Parent__c: parent, Size__c: 'M' },
    },
    [['Standard Price Book', 29, true]],
  );
};
/** A product of the store, as this flow creates it (the price, the type and the visibility it sends). */
const storeProduct = (sku: string, name: string, visibility: number, custom_attributes: object[] = []) =>
  given('POST', `${MG}/products`, {
    product: {
      sku,
      name,
      attribute_set_id: 10,
      type_id: 'simple',
      visibility,
      price: 29,
      status: 1,
      custom_attributes,
    },
  });
const SIZE_M = [{ attribute_code: 'size', value: '202' }];
const SIZE_OPTION = {
  option: {
    ...{ attribute_id: '144', label: 'Size', position: 0 },
    values: [201, 202, 203, 204].map((value_index) => ({ value_index })),
  },
};
/** The parent TEE-2 in the store (a simple product until it gets the size option) and its variant TEE-2-M. */
const teeFamilyInStore = async () => {
  await storeProduct('TEE-2', 'Linen Tee', 4);
  await storeProduct('TEE-2-M', 'Linen Tee - M', 1, SIZE_M);
};
const sizeOption = () => given('POST', `${MG}/configurable-products/TEE-2/options`, SIZE_OPTION);
const linkTee2M = () => given('POST', `${MG}/configurable-products/TEE-2/child`, { childSku: 'TEE-2-M' });
/** A group price as this flow sent it. */
const groupPrice = (quantity: number, price: number) => ({
  ...{ sku: 'MUG-2', customer_group: 'Wholesale', quantity, price, price_type: 'fixed', website_id: 0 },
});
const PRODUCTS = 'ff-products-to-magento-catalog';

/** Account 088 in the org, the event's record: Hopper Analytics, not a shop customer yet. */
const hopperAnalyticsInOrg = () =>
  void sf.store.insert('Account', { Id: '001000000000088AAA', Name: 'Hopper Analytics Inc.' });
/** The account's contact is no customer of the store yet, which makes its next customer 101. */
const newCustomer101 = async () => (hopperAnalyticsInOrg(), void (magento.state.nextId.customer = 101));
/** The account's contact registered in the store (customer `id`) with the e-mail in that letter case. */
const registered = (id: number, email: string) => async () => {
  hopperAnalyticsInOrg();
  magento.state.nextId.customer = id;
  await given('POST', `${MG}/customers`, { customer: { email, firstname: 'Grace', lastname: 'Hopper' } });
};
/** A US address of Grace's, with its Virginia region as the store's directory has it (region 61). */
const virginia = (street: string[], city: string, postcode: string, defaults: object = {}) => ({
  ...{ firstname: 'Grace', lastname: 'Hopper', street, city, postcode, country_id: 'US', telephone: '+1 555 0100' },
  ...{ region: { region_code: 'VA', region: 'Virginia', region_id: 61 }, ...defaults },
});
const ARLINGTON = virginia(['1 Navy Way'], 'Arlington', '22202', { default_billing: true, default_shipping: true });
const NORFOLK = virginia(['9 Dock St'], 'Norfolk', '23510');
/** The address FF added to the account's book (its Richmond depot), as this flow sends it. */
const DEPOT = {
  ...virginia(['77 Depot Rd', 'Gate 3'], 'Richmond', '23219'),
  ...{ company: 'Hopper Depot', default_billing: false, default_shipping: false },
};
/** Customer 77 (linked to account 077) as she registered (General group), her addresses 501, 502, ... */
const grace77 =
  (addresses = [ARLINGTON, NORFOLK], fields: object = {}) =>
  async () => {
    magento.state.nextId.customer = 77;
    magento.state.nextId.address = 501;
    await given('POST', `${MG}/customers`, {
      customer: { email: 'grace@hopper.example', firstname: 'Grace', lastname: 'Hopper', ...fields, addresses },
    });
  };
/** Customer 77 once her account's terms and VAT number reached her (Net 30): as the later cases find her. */
const grace77WithTerms = (addresses = [ARLINGTON, NORFOLK]) => grace77(addresses, { group_id: 4, taxvat: 'US-123' });
/** Customer 77 the admin of B2B company 3, whose credit (record 12) is in USD at `limit`, owing `balance`. */
const grace77InCompany3 = (limit: number, balance: number) => async () => {
  await grace77WithTerms()();
  Object.assign(magento.state.nextId, { company: 3, companyCredit: 12 });
  addCompany(magento.state, 77, 'Hopper Analytics Inc.');
  const credit = { credit_limit: limit, balance, available_limit: limit - balance };
  Object.assign(magento.state.companyCredits.get(12)!, credit);
};
/** Customer 79 (linked to account 079), registered without addresses. */
const hedy79 = async () => {
  magento.state.nextId.customer = 79;
  await given('POST', `${MG}/customers`, {
    customer: { email: 'hedy@lamarr.example', firstname: 'Hedy', lastname: 'Lamarr' },
  });
};
const ACCOUNTS = 'ff-accounts-to-magento-customers';

/** Each case's vendors, by `<file> / <case name>`; a case not listed starts from the emulators' seeds. */
const GIVEN: Record<string, Given> = {
  "ad-usage-to-salesforce / an ad becomes a usage entry on the customer's contract": {
    before: async () => void (sf.state.counter = 8),
  },
  'ad-usage-to-salesforce / a contract number with a quote and a backslash is escaped in the SOQL literal (both are reserved)':
    {
      before: async () => {
        // ContractNumber is an auto-number (not writable): the contract is put in the org as its admin set it up.
        const { AccountId } = contract('C-1001');
        const fields = { AccountId, ContractNumber: "C-1'\\", Status: 'Activated', StartDate: '2026-11-01' };
        sf.store.insert('Contract', { Id: '800000000000090AAA', ...fields });
        sf.state.counter = 9; // the entry is a0U000000000010EAA
      },
    },
  'ad-usage-to-salesforce / the contract is read, never written (Salesforce owns it)': { before: usageEntry },
  "ad-usage-to-salesforce / a fulfilled contract's entry is locked - a permanent error with Salesforce's message, never retried":
    {
      before: async () => {
        await usageEntry();
        await given('PATCH', `${SF}/sobjects/Contract/${String(contract('C-1001').Id)}`, { Status: 'Fulfilled' });
      },
    },
  'ad-usage-to-salesforce / a changed ad corrects its usage entry': { before: usageEntry },
  'ad-usage-to-salesforce / a deleted ad removes its usage entry': { before: usageEntry },
  'ff-fulfilment-to-magento-shipments / a shipped fulfilment becomes a Magento shipment with tracking': {
    before: async () => void (magento.state.nextId.shipment = 7),
  },
  'ff-fulfilment-to-magento-shipments / a gap event of a shipped fulfilment ships it (the status its read found)': {
    before: async () => void (magento.state.nextId.shipment = 7),
  },
  'ff-fulfilment-to-magento-shipments / a partial fulfilment created as shipped ships only its own lines': {
    before: async () => void (magento.state.nextId.shipment = 8),
  },
  'ff-fulfilment-to-magento-shipments / Magento refusing the shipment is a permanent error': {
    before: async () => void Object.assign(magento.state.orders.get(1001)!, { state: 'holded', status: 'holded' }),
  },
  'ff-fulfilment-to-magento-shipments / a shipment whose answer was lost is found by its fulfilment comment, not shipped twice':
    {
      before: async () => {
        magento.state.nextId.shipment = 12;
        await shipment('FUL-00000', [{ order_item_id: 10012, qty: 1 }]);
      },
      during: {
        'shipment.find': async () =>
          void (await shipment('FUL-00001', [
            { order_item_id: 10011, qty: 2 },
            { order_item_id: 10014, qty: 1 },
          ])),
      },
    },
  'ff-fulfilment-to-magento-shipments / a lost answer whose shipment Magento never made is sent again': {
    before: async () => void (magento.state.nextId.shipment = 14),
  },
  "ff-fulfilment-to-magento-shipments / a delivered comment whose answer was lost is found in the order's history, not added twice":
    {
      during: {
        'status_comment.find': async () => {
          magento.state.nextId.comment = 4;
          await given('POST', `${MG}/orders/1001/comments`, {
            statusHistory: {
              comment: 'Delivered: UPS 1Z999AA10123456784 (FinancialForce fulfilment FUL-00001)',
              is_customer_notified: 1,
              is_visible_on_front: 1,
              parent_id: 1001,
            },
          });
        },
      },
    },
  [`${CASH} / an ordinary order's paid invoice becomes a cash entry against the order's FF invoice`]: {
    before: () => shippedAndInvoiced(1001),
  },
  [`${CASH} / the paid invoice of an invoice-payment quote pays the open FF invoice the quote stands for`]: {
    before: async () => (invoicePaymentOrder(), shippedAndInvoiced(5001)),
  },
  [`${CASH} / a payment at 23:30 on 31 January in Los Angeles (07:30 UTC on 1 February) is a cash entry of 31 January`]:
    { before: () => shippedAndInvoiced(1001) },
  [`${CASH} / a payment at 23:30 on 6 November, the eve daylight saving ends (06:30 UTC on the 7th, -0700), is dated 6 November`]:
    { before: () => shippedAndInvoiced(1001) },
  [`${CASH} / an ordinary order's invoice waits for the order's FF invoice, sending nothing`]: {
    before: () => shippedAndInvoiced(1001),
  },
  [`${CASH} / the invoice of an order paid on account books nothing (FinancialForce collected that money)`]: {
    before: async () => (onAccountOrder(), shippedAndInvoiced(2001)),
  },
  [`${CASH} / a payment of a quote no FF invoice is known for is dead-lettered with the reason, never dropped`]: {
    before: async () => (invoicePaymentOrder(), shippedAndInvoiced(5001)),
  },
  [`${MEMO} / a refund becomes a credit note against the invoice, each line with its own tax code, shipping and the fee`]:
    {
      before: refundedOrder(
        [
          [10011, 1],
          [10014, 1],
        ],
        { shipping_amount: 5, adjustment_negative: 2 },
      ),
    },
  [`${MEMO} / a refunded configurable product is one line (its parent); its child carries no price`]: {
    before: refundedOrder([[10012, 1]], { shipping_amount: 0 }),
  },
  [`${MEMO} / a refund at 23:30 on 31 January in Los Angeles (07:30 UTC on 1 February) is credited on 31 January`]: {
    before: refundedOrder([[10011, 1]], { shipping_amount: 0 }),
  },
  [`${MEMO} / a refund at 22:30 on 13 March, the eve of daylight saving (06:30 UTC on the 14th), is credited on 13 March`]:
    { before: refundedOrder([[10011, 1]], { shipping_amount: 0 }) },
  [`${PAY} / a paid FF invoice of an order paid on account invoices the shipped Magento order, paid offline`]: {
    before: async () => (await shippedOnAccount(), void (magento.state.nextId.invoice = 7)),
  },
  [`${PAY} / a gap event of a paid invoice (header only, the payment status read) invoices the order as an update does`]:
    { before: async () => (await shippedOnAccount(), void (magento.state.nextId.invoice = 7)) },
  [`${PAY} / the same paid invoice again finds the order complete and invoices nothing`]: {
    before: async () => (await shippedOnAccount(), void (await invoicedFromFF())),
  },
  [`${PAY} / an order invoiced but not shipped yet has nothing left to invoice`]: {
    before: async () => (twoLinesOnAccount(), void invoiceOrder(magento.state, 2001)),
  },
  [`${PAY} / a canceled order is not invoiced`]: {
    before: async () => {
      twoLinesOnAccount();
      Object.assign(magento.state.orders.get(2001)!, { state: 'canceled', status: 'canceled' });
    },
  },
  [`${PAY} / an invoice whose answer was lost is found by its FF invoice comment, not created twice`]: {
    before: shippedOnAccount,
    during: { 'invoice.find': async () => ((magento.state.nextId.invoice = 7), void (await invoicedFromFF())) },
  },
  [`${PAY} / a lost answer whose invoice Magento never made is sent again`]: {
    before: async () => (await shippedOnAccount(), void (magento.state.nextId.invoice = 8)),
  },
  [`${PAY} / Magento's refusal of an order with nothing to invoice is a validation dead letter`]: {
    // Invoiced by someone else between the read and this call.
    before: shippedOnAccount,
    during: { invoice: async () => void (await invoicedFromFF()) },
  },
  [`${CUST} / on an org with country picklists set to take codes (ff-org-features country_picklist_codes) the ISO codes go to BillingCountryCode, ShippingCountryCode and the address's CountryCode, and no country name is sent`]:
    { countryPicklists: true },
  [`${CUST} / the contact FF made the customer from is updated, not copied; an address FF added is linked; an address the customer deleted leaves the address book, and one FF added that Magento lacks stays`]:
    { before: ffsOwnContactAndAddresses },
  [`${CUST} / a linked account deleted in FinancialForce is a dead letter (delete the link, replay, and the upsert creates it)`]:
    { before: async () => void sf.store.remove('Account', LINKED_ACCOUNT) },
  [`${QUOTE} / an approved quote becomes a negotiable quote with its lines, negotiated total, shipping and expiry`]: {
    before: nextQuote(41),
  },
  [`${QUOTE} / a gap event of an approved quote (header only, its fields read) sends it as an update does`]: {
    before: nextQuote(41),
  },
  [`${QUOTE} / a single-line quote still sends a list of items`]: { before: nextQuote(42) },
  [`${QUOTE} / a quote already sent is not sent again`]: { before: sentQuote41 },
  [`${QUOTE} / a quote marked Denied is declined in Magento`]: { before: sentQuote41 },
  [`${QUOTE} / an empty draft left by an earlier refusal is replaced by a complete quote`]: {
    // The flow's draft whose lines Magento refused; the store has made quote 42 since.
    before: async () => {
      magento.state.nextId.quote = 41;
      await given('POST', `${MG}/negotiableQuote/draft`, { customerId: 42 });
      magento.state.nextId.quote = 43;
    },
  },
  [`${QUOTE} / a product Magento does not sell is a permanent error naming it`]: { before: nextQuote(44) },
  // Recorded after the store's quote 31 (an open invoice's).
  [`${QUOTE} / recorded against the Magento emulator: an approved quote is drafted, filled and sent`]: {
    before: nextQuote(32),
  },
  [`${OPEN} / a part payment declines the sent quote and sends one for the new open amount`]: {
    before: sentInvoiceQuote31,
  },
  [`${OPEN} / a paid invoice declines its open quote and sends nothing new`]: { before: sentInvoiceQuote31 },
  [`${OPEN} / an unchanged open amount leaves the sent quote alone`]: { before: sentInvoiceQuote31 },
  [`${OPEN} / once the customer ordered (paid) the quote, nothing is declined or re-sent while FF catches up`]: {
    before: async () => {
      await sentInvoiceQuote31();
      placeQuoteOrder(magento.state, 31, { method: 'braintree', transactionId: 'ch_3PQ9x2' });
    },
  },
  [`${OPEN} / an expired quote of a still open invoice is replaced`]: {
    // Past its expiration date, Magento's expiry job set it expired; the store has made quote 32 since.
    before: async () => {
      await sentInvoiceQuote31();
      negotiableStatus(31, 'expired');
      magento.state.nextId.quote = 33;
    },
  },
  [`${OPEN} / a quote this integration did not create (a stale or hand-made cross-reference) is never declined`]: {
    before: sentInvoiceQuote31,
  },
  [`${OPEN} / a draft whose answer was lost is the customer's one empty draft, filled and sent, never a second quote`]:
    {
      during: {
        // Ada's quotes by then: 29 declined, 30 a draft of the seller's own, and 31, the draft whose answer was lost.
        'draft.find': async () => {
          magento.state.nextId.quote = 29;
          await given('POST', `${MG}/negotiableQuote/draft`, { customerId: 42 });
          await given('POST', `${MG}/negotiableQuote/decline`, { quoteId: 29, reason: 'Not needed.' });
          await given('POST', `${MG}/negotiableQuote/draft`, { customerId: 42 });
          await given('PUT', `${MG}/negotiableQuote/30`, { quote: { id: 30, items: [{ sku: 'MUG-1', qty: 1 }] } });
          await given('POST', `${MG}/negotiableQuote/draft`, { customerId: 42 });
        },
      },
    },
  [`${OPEN} / a send whose answer was lost but which happened is found submitted, not dead-lettered as locked`]: {
    during: { 'send.find': async () => void (await sendInvoiceQuote31()) },
  },
  [`${PRODUCTS} / a new SKU is created with attribute set, categories, weight, status and first content, then its group and sale prices`]:
    { before: mug2InOrg },
  [`${PRODUCTS} / a price change (its price book entry's update, with only the new price) reprices the product it belongs to`]:
    { before: async () => (await mug2InOrg(), void (await mug2InStore())) },
  [`${PRODUCTS} / a gap event of a price book entry (header only, its product read by the enrichment) reprices its product too`]:
    { before: async () => (await mug2InOrg(), void (await mug2InStore())) },
  [`${PRODUCTS} / an existing SKU gets only price, weight and status; its name, description, SEO fields and media are never sent`]:
    {
      // The seed's MUG-1, renamed, described and deactivated in FF (the event's changes).
      before: async () => {
        const mug1 = sf.records('Product2').find((p) => p.ProductCode === 'MUG-1')!;
        sf.store.update('Product2', String(mug1.Id), {
          ...{ Name: 'Enamel Mug (FF name)', Description: "FF's own text", IsActive: false },
        });
      },
    },
  [`${PRODUCTS} / a product created before its standard price is read and written nowhere; its price book entry's creation brings it`]:
    { before: async () => void orgProduct('01t000000000M2Q', { ...MUG_2, Description: null }) },
  [`${PRODUCTS} / a group price Magento refuses (200 with the failed rows) is a permanent error with Magento's reason`]:
    {
      // The store's Wholesale group was deleted (or renamed) after the price books were mapped to it.
      before: async () => {
        await mug2InOrg();
        await mug2InStore();
        magento.state.customerGroups.delete(2);
      },
    },
  [`${PRODUCTS} / a new variant becomes a simple child, not visible on its own, with its size; its parent gets the size option and the link`]:
    { before: async () => (teeFamilyInOrg(), void (await storeProduct('TEE-2', 'Linen Tee', 4))) },
  [`${PRODUCTS} / a variant whose parent already has the size and the link sends only what the ERP owns`]: {
    before: async () => {
      teeFamilyInOrg();
      await teeFamilyInStore();
      await sizeOption();
      await linkTee2M();
    },
  },
  [`${PRODUCTS} / another variant's event gave the parent its size just now, and linked this one; both refusals count as done`]:
    {
      before: async () => (teeFamilyInOrg(), await teeFamilyInStore()),
      during: {
        variant_option: async () => void (await sizeOption()),
        variant_link: async () => void (await linkTee2M()),
      },
    },
  [`${PRODUCTS} / a variant whose parent Magento does not have yet waits for it (retried), the variant itself created`]:
    { before: async () => teeFamilyInOrg() },
  [`${PRODUCTS} / a group price whose price book entry FF deactivated is deleted from Magento; the others are replaced`]:
    {
      before: async () => {
        await mug2With([
          ['Standard Price Book', 14.5, true],
          ['Wholesale', 11.5, true],
          ['Wholesale 24+', 10, false],
        ])();
        await given('PUT', `${MG}/products/tier-prices`, { prices: [groupPrice(1, 11.5), groupPrice(24, 10)] });
      },
    },
  [`${PRODUCTS} / the last group price deactivated in FF is deleted (a replace with no rows would leave it); nothing is replaced`]:
    {
      before: async () => {
        await mug2With([
          ['Standard Price Book', 14.5, true],
          ['Wholesale', 11.5, false],
        ])();
        await given('PUT', `${MG}/products/tier-prices`, { prices: [groupPrice(1, 11.5)] });
      },
    },
  [`${PRODUCTS} / a new SKU with a category path goes into that category; the levels Magento lacks are created under the ones it has`]:
    {
      // The store has a Bags under Shop (not the path's) and a Gear at the top, without Bags under it.
      before: async () => {
        orgProduct(
          '01t000000000B1G',
          {
            ...{ ProductCode: 'BAG-1', Name: 'Canvas Tote', Description: 'A tote.', Family: 'Accessories' },
            ...{ IsActive: true, Weight__c: 0.3, Web_Category__c: 'Gear / Bags' },
          },
          [['Standard Price Book', 20, true]],
        );
        await given('POST', `${MG}/categories`, { category: { name: 'Bags', parent_id: 3, is_active: true } });
        await given('POST', `${MG}/categories`, { category: { name: 'Gear', is_active: true } });
      },
    },
  [`${PRODUCTS} / a category path deeper than three levels is a dead letter that says so; nothing is created`]: {
    before: async () =>
      void orgProduct(
        '01t000000000B1G',
        {
          ProductCode: 'BAG-1',
          Name: 'Canvas Tote',
          Family: 'Accessories',
          IsActive: true,
          Web_Category__c: 'Gear/Bags/Totes/Canvas',
        },
        [['Standard Price Book', 20, true]],
      ),
  },
  [`${ACCOUNTS} / an account with no Magento customer creates one from its contact and addresses, and gets the new id`]:
    { before: newCustomer101 },
  [`${ACCOUNTS} / a country FF holds by name (address picklists) goes to Magento as its ISO code`]: {
    before: newCustomer101,
  },
  [`${ACCOUNTS} / a state held by name in any letter case is the region of that name (the directory's own spelling)`]: {
    before: newCustomer101,
  },
  [`${ACCOUNTS} / a country without a region list (an org's "UK" integration value is GB) keeps the state as text`]: {
    before: newCustomer101,
  },
  [`${ACCOUNTS} / an org's own state value mapped in state-codes is the region it names (Yukon -> Yukon Territory, YT)`]:
    { before: newCustomer101 },
  [`${ACCOUNTS} / where the state is optional (Germany) a name the regions lack goes as text, and a known one as the region`]:
    { before: newCustomer101 },
  [`${ACCOUNTS} / a shopper registered with the e-mail in other letter case is linked too (Magento would refuse a second)`]:
    { before: registered(65, 'Grace@Hopper.Example') },
  [`${ACCOUNTS} / a shopper who already registered with that e-mail is linked, not created twice`]: {
    before: registered(64, 'grace@hopper.example'),
  },
  [`${ACCOUNTS} / credit terms and VAT number set the Magento customer's group and taxvat`]: { before: grace77() },
  [`${ACCOUNTS} / names and addresses stay Magento's`]: { before: grace77() },
  [`${ACCOUNTS} / a tax-exempt account (Sales Tax Status Exempt) moves its customer to the exempt group of its terms`]:
    { before: grace77WithTerms() },
  [`${ACCOUNTS} / on Magento Open Source (no company credit) the limit stays in FinancialForce`]: {
    before: grace77WithTerms(),
  },
  [`${ACCOUNTS} / a customer in no company has no credit to set`]: {
    // A B2B store answers a customer in no company with company 0.
    before: async () => {
      await grace77WithTerms()();
      const company_attributes = { customer_id: 77, company_id: 0 };
      magento.state.customers.get(77)!.extension_attributes = { company_attributes };
    },
  },
  [`${ACCOUNTS} / an account created in FF with its Magento id and terms sends the terms`]: { before: hedy79 },
  [`${ACCOUNTS} / a gap event of a linked account (header only, what changed unknown) sends the terms its read found`]:
    { before: hedy79 },
  [`${ACCOUNTS} / a credit limit becomes the credit limit of the customer's B2B company, in the credit's currency, without a credit_comment (no credit read returns it)`]:
    { before: grace77InCompany3(0, 0) },
  [`${ACCOUNTS} / a limit the company's credit already has is not sent again`]: {
    before: grace77InCompany3(25000, 1200),
  },
  [`${ACCOUNTS} / an account trading in another currency than the company's credit is a dead letter that names both`]: {
    before: grace77InCompany3(0, 0),
  },
  [`${ACCOUNTS} / an address FF adds to a linked customer's address book joins Magento's addresses, which go back as they are`]:
    { before: grace77WithTerms() },
  [`${ACCOUNTS} / an address book entry whose state is none of the country's regions is a dead letter, Magento's list untouched`]:
    { before: grace77WithTerms() },
  [`${ACCOUNTS} / an FF address Magento already has (same street, city and postcode) is not sent again`]: {
    // FF's Richmond depot reached Magento with an earlier change of the account.
    before: grace77WithTerms([ARLINGTON, DEPOT]),
  },
  [`${ACCOUNTS} / an address update whose answer was lost is looked up, and not sent twice when Magento has it`]: {
    before: grace77WithTerms(),
    during: {
      'addresses.find': async () => {
        magento.state.nextId.address = 503;
        await given('PUT', `${MG}/customers/77`, {
          customer: { id: 77, addresses: [...(magento.state.customers.get(77)!.addresses as object[]), DEPOT] },
        });
      },
    },
  },
  'magento-orders-to-ff-invoices / FinancialForce rejecting the invoice is a permanent error with its message': {
    // The customer's account was deleted in FinancialForce after the customer was linked to it.
    before: async () => void sf.store.remove('Account', String(sf.records('Account')[0].Id)),
  },
};

/**
 * The records a case's cross-references link to are in the org (a link is made when the record is written there):
 * each xref target that is a record id of an object the org has, unless the case's story removes it.
 */
function orgHoldsLinkedRecords(c: LoadedCase): void {
  const prefixes = new Map(Object.entries(SOBJECT_SCHEMAS).map(([name, schema]) => [schema['x-key-prefix'], name]));
  for (const links of Object.values(c.input!.xref ?? {}))
    for (const id of Object.values(links)) {
      const sobject = prefixes.get(String(id).slice(0, 3));
      if (sobject && /^\w{18}$/.test(String(id)) && !sf.store.objectOf(id)) sf.store.insert(sobject, { Id: id });
    }
}

/**
 * What a recorded Salesforce write implies the org held or issued: a create (201) answered with an id the org issues
 * next (ids are the org's counter: which number a record gets is no behaviour of the flow), an upsert answered
 * `created: false` a record with that external id and the recorded id. A recorded id the org could not issue for
 * that object (another object's key prefix) is a problem.
 */
function orgHoldsWhatItAnswered(e: Exchange): string | undefined {
  const upsert = /\/sobjects\/(\w+)\/(\w+)\/([^/]+)$/.exec(e.url.pathname);
  const create = /\/sobjects\/(\w+)$/.exec(e.url.pathname);
  const sobject = upsert?.[1] ?? create?.[1];
  const answer = e.answer as { id?: string; created?: boolean } | undefined;
  if (!isSalesforce(e.url) || !sobject || !answer?.id || e.status >= 300) return undefined;
  const prefix = String(SOBJECT_SCHEMAS[sobject]?.['x-key-prefix']);
  const counter = new RegExp(`^${prefix}(\\d{12})[A-Z0-5]{3}$`).exec(answer.id);
  if (e.status === 201) {
    if (!counter) return `the org issues ${sobject} ids as ${prefix}<12 digits><suffix>, not ${answer.id}`;
    sf.state.counter = Number(counter[1]) - 1;
  } else if (upsert && e.method === 'PATCH' && answer.created === false) {
    const [, , field, value] = upsert;
    const held = sf.records(sobject).some((r) => String(r[field]) === decodeURIComponent(value));
    if (!held) sf.store.insert(sobject, { Id: answer.id, [field]: decodeURIComponent(value) });
  }
  return undefined;
}

const MAGENTO_TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/;
/** An answer with Magento's timestamps (the emulator stamps now) as their format, and object keys in order. */
function comparable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(comparable);
  if (typeof value === 'string' && MAGENTO_TIME.test(value)) return 'YYYY-MM-DD hh:mm:ss';
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, comparable(v)]),
  );
}

describe('recorded exchanges replayed against the Salesforce and Magento emulators', () => {
  it('every recorded answer of the replayed integrations is what the emulator answers in the same state', async () => {
    const differences: string[] = [];
    let calls = 0;
    const replayed = (c: LoadedCase) => c.input && REPLAYED.includes(c.integration);
    for (const { specSet, cases } of dirs)
      for (const c of cases.filter(replayed)) {
        const exchanges = await exchangesOf(specSet, c);
        // The step of each exchange, from the plan's requests (one per vendor call, in the same order).
        const { requests } = await dryRun(specSet, wiring.connectors, c.input!);
        const steps = requests.map((r) => (r.index === undefined ? r.step : `${r.step}[${r.index}]`));
        expect(steps.length, title(c)).toBe(exchanges.length);
        const story = GIVEN[title(c)] ?? {};
        sf = story.countryPicklists ? picklistOrg : plainOrg;
        await resetVendors();
        orgHoldsLinkedRecords(c);
        await story.before?.();
        for (const [i, e] of exchanges.entries()) {
          const at = steps[i];
          await (story.during?.[at] ?? story.during?.[at.replace(/\[\d+\]$/, '')])?.();
          const unissuable = orgHoldsWhatItAnswered(e);
          if (unissuable)
            differences.push(`${basename(c.file)} "${c.name}" ${at} ${e.method} ${e.url.pathname}: ${unissuable}`);
          const emulated = await send(e.url, e.method, e.body);
          calls++;
          const recorded = JSON.stringify(comparable({ status: e.status, answer: e.answer }));
          const answered = JSON.stringify(comparable(emulated));
          if (recorded !== answered)
            differences.push(`${basename(c.file)} "${c.name}" ${at} ${e.method} ${e.url.pathname}
  recorded ${recorded}
  emulator ${answered}`);
        }
      }
    expect(differences.join('\n\n')).toBe('');
    // A story for a case that was renamed or removed would set up nothing.
    const names = dirs.flatMap((d) => d.cases.filter(replayed).map(title));
    expect(Object.keys(GIVEN).filter((name) => !names.includes(name))).toEqual([]);
    expect(calls).toBeGreaterThan(20);
  });
});
