/**
 * Magento 2 / Adobe Commerce REST V1 operations. Steps produce records; each operation wraps its record in
 * Magento's envelope (`{"product": …}`, `{"sourceItems": […]}`) and fills the path from it.
 */
import { permanentError } from '../../engine/sdk/index.js';
import { magentoCategoryOperations } from './category-operations.js';
import { magentoCompanyCreditOperations } from './company-credit-operations.js';
import { MAX_PAGE_SIZE, magentoChangeOperations } from './change-operations.js';
import { magentoConfigurableOperations } from './configurable-operations.js';
import { magentoPriceOperations } from './price-operations.js';
import { attributeOperations } from './schema-pull.js';
import type { JsonSchema, OperationCall, OperationDef } from '../../engine/sdk/index.js';
import {
  cartSchema,
  creditmemoSchema,
  customerSchema,
  invoiceRecordSchema,
  invoiceSchema,
  negotiableQuoteSchema,
  orderCommentRecordSchema,
  orderCommentSchema,
  orderSchema,
  productSchema,
  quoteDeclineSchema,
  quoteDraftSchema,
  quoteSubmitSchema,
  shipmentRecordSchema,
  shipmentSchema,
  sourceItemSchema,
  stockItemSchema,
} from './schemas/index.js';

type Row = Record<string, unknown>;
const V1 = (options: Row) => `/rest/${String(options.store_code ?? 'default')}/V1`;
const record = (call: OperationCall): Row => (call.body ?? {}) as Row;
const seg = (value: unknown, field: string): string => {
  if (value === undefined || value === null || value === '')
    throw permanentError('validation', `the record has no ${field}; the step body must set it`, { field });
  return encodeURIComponent(String(value));
};
const without = (row: Row, ...keys: string[]) =>
  Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k)));

/** One searchCriteria filter (group 0, filter 0). */
const filter = (field: string, value: string, condition: string) => ({
  'searchCriteria[filter_groups][0][filters][0][field]': field,
  'searchCriteria[filter_groups][0][filters][0][value]': value,
  'searchCriteria[filter_groups][0][filters][0][condition_type]': condition,
});

/** The input of the calls that name one order: its entity_id. */
const orderIdInput: JsonSchema = {
  type: 'object',
  required: ['order_id'],
  properties: { order_id: { type: ['integer', 'string'], description: 'Order id (entity_id).' } },
};

/** An order's documents of one kind (`GET /V1/<path>?searchCriteria` on order_id). */
const searchByOrder = (object: string, path: string, items: JsonSchema, description: string): OperationDef => ({
  description,
  vendorName: `GET /V1/${path}?searchCriteria`,
  kind: 'query',
  object,
  input: orderIdInput,
  output: {
    type: 'object',
    properties: {
      items: { type: 'array', items },
      search_criteria: { type: 'object' },
      total_count: { type: 'integer' },
    },
  },
  request: (c) => ({
    method: 'GET',
    path: `${V1(c.options)}/${path}`,
    query: filter('order_id', String(seg(record(c).order_id, 'order_id')), 'eq'),
  }),
});

/** The Magento operations by name. */
export const magentoOperations: Record<string, OperationDef> = {
  'orders.get': {
    description: 'Read one order by entity id.',
    vendorName: 'GET /V1/orders/{id}',
    kind: 'read',
    object: 'order',
    identity: ['entity_id'],
    output: orderSchema,
    request: (c) => ({ method: 'GET', path: `${V1(c.options)}/orders/${seg(record(c).entity_id, 'entity_id')}` }),
  },
  'creditmemos.get': {
    description: 'Read one credit memo (a refund) with its items.',
    vendorName: 'GET /V1/creditmemo/{id}',
    kind: 'read',
    object: 'creditmemo',
    identity: ['entity_id'],
    output: creditmemoSchema,
    request: (c) => ({ method: 'GET', path: `${V1(c.options)}/creditmemo/${seg(record(c).entity_id, 'entity_id')}` }),
  },
  'invoices.get': {
    description: 'Read one invoice with its items.',
    vendorName: 'GET /V1/invoices/{id}',
    kind: 'read',
    object: 'invoice',
    identity: ['entity_id'],
    output: invoiceRecordSchema,
    request: (c) => ({ method: 'GET', path: `${V1(c.options)}/invoices/${seg(record(c).entity_id, 'entity_id')}` }),
  },
  'orders.search': {
    description: 'Orders updated after a time (searchCriteria on updated_at), oldest first; poll with orders.changes.',
    vendorName: 'GET /V1/orders?searchCriteria',
    kind: 'query',
    object: 'order',
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        page_size: {
          type: 'integer',
          minimum: 1,
          maximum: 300,
          default: 100,
          description: 'Orders per page (Magento refuses more than 300 when input limits are on).',
        },
        current_page: { type: 'integer', minimum: 1, description: 'Page to read (1-based); omitted reads the first.' },
        updated_after: {
          type: 'string',
          description: 'Cursor: only orders updated after this time (YYYY-MM-DD HH:MM:SS).',
        },
      },
    },
    output: {
      type: 'object',
      properties: {
        items: { type: 'array', items: orderSchema },
        search_criteria: { type: 'object' },
        total_count: { type: 'integer' },
      },
    },
    request: (c) => ({
      method: 'GET',
      path: `${V1(c.options)}/orders`,
      query: {
        ...filter(
          'updated_at',
          String(c.params.updated_after ?? record(c).updated_after ?? '1970-01-01 00:00:00'),
          'gt',
        ),
        'searchCriteria[sortOrders][0][field]': 'updated_at',
        'searchCriteria[sortOrders][0][direction]': 'ASC',
        'searchCriteria[pageSize]': Number(c.params.page_size ?? 100),
        ...(c.params.current_page === undefined
          ? {}
          : { 'searchCriteria[currentPage]': Number(c.params.current_page) }),
      },
    }),
  },
  'customers.search': {
    description: 'Customers whose field matches a value (e.g. email = x), for lookups before a create.',
    vendorName: 'GET /V1/customers/search?searchCriteria',
    kind: 'query',
    object: 'customer',
    params: {
      type: 'object',
      required: ['field'],
      additionalProperties: false,
      properties: {
        field: { type: 'string', description: 'Customer attribute to filter on.', examples: ['email'] },
        condition_type: {
          type: 'string',
          enum: ['eq', 'neq', 'like', 'gt', 'lt', 'in'],
          default: 'eq',
          description: 'Magento condition type.',
        },
        page_size: {
          type: 'integer',
          minimum: 1,
          maximum: 300,
          default: 20,
          description: 'Customers per page (at most 300 with input limits on).',
        },
      },
    },
    input: {
      type: 'object',
      required: ['value'],
      properties: { value: { type: ['string', 'number'], description: 'Value to compare the field with.' } },
    },
    output: {
      type: 'object',
      properties: {
        items: { type: 'array', items: customerSchema },
        search_criteria: { type: 'object' },
        total_count: { type: 'integer' },
      },
    },
    request: (c) => ({
      method: 'GET',
      path: `${V1(c.options)}/customers/search`,
      query: {
        ...filter(String(c.params.field), String(record(c).value ?? ''), String(c.params.condition_type ?? 'eq')),
        'searchCriteria[pageSize]': Number(c.params.page_size ?? 20),
      },
    }),
  },
  'customers.create': {
    description: 'Create a customer with addresses.',
    vendorName: 'POST /V1/customers',
    kind: 'create',
    object: 'customer',
    input: customerSchema,
    output: customerSchema,
    request: (c) => ({
      method: 'POST',
      path: `${V1(c.options)}/customers`,
      body: { customer: without(record(c), 'id') },
    }),
  },
  'customers.update': {
    description: 'Update a customer (addresses are replaced as a whole list).',
    vendorName: 'PUT /V1/customers/{id}',
    kind: 'update',
    object: 'customer',
    identity: ['id'],
    input: customerSchema,
    output: customerSchema,
    request: (c) => ({
      method: 'PUT',
      path: `${V1(c.options)}/customers/${seg(record(c).id, 'id')}`,
      body: { customer: record(c) },
    }),
    readBack: {
      request: (c) => ({ method: 'GET', path: `${V1(c.options)}/customers/${seg(record(c).id, 'id')}` }),
      result: (r) => ({ record: (r.body ?? {}) as Row, result: r.body }),
    },
  },
  'customers.get': {
    description: 'Read one customer.',
    vendorName: 'GET /V1/customers/{id}',
    kind: 'read',
    object: 'customer',
    identity: ['id'],
    output: customerSchema,
    request: (c) => ({ method: 'GET', path: `${V1(c.options)}/customers/${seg(record(c).id, 'id')}` }),
  },
  'directory.country': {
    description:
      "One of the store's countries from its directory: its ISO codes and names, and its regions (`available_regions`: " +
      'id, code, name) when it has a list, the ids a customer address takes as `region_id`. A country the store does ' +
      'not allow is not found.',
    vendorName: 'GET /V1/directory/countries/{countryId}',
    kind: 'read',
    object: 'country',
    identity: ['countryId'],
    input: {
      type: 'object',
      required: ['countryId'],
      properties: { countryId: { type: 'string', description: 'ISO 3166 two-letter code.', examples: ['US'] } },
    },
    output: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        two_letter_abbreviation: { type: 'string' },
        three_letter_abbreviation: { type: 'string' },
        full_name_locale: { type: 'string' },
        full_name_english: { type: 'string' },
        available_regions: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: { type: 'string' }, code: { type: 'string' }, name: { type: 'string' } },
          },
        },
      },
    },
    request: (c) => ({
      method: 'GET',
      path: `${V1(c.options)}/directory/countries/${seg(record(c).countryId, 'countryId')}`,
    }),
  },
  'products.get': {
    description: 'Read one product by SKU.',
    vendorName: 'GET /V1/products/{sku}',
    kind: 'read',
    object: 'product',
    identity: ['sku'],
    output: productSchema,
    request: (c) => ({ method: 'GET', path: `${V1(c.options)}/products/${seg(record(c).sku, 'sku')}` }),
  },
  'products.create': {
    description:
      'Create a product (attribute set, type, categories, first content). Magento saves an existing SKU over its ' +
      'product, so give the step a find that looks the SKU up first.',
    vendorName: 'POST /V1/products',
    kind: 'create',
    object: 'product',
    identity: ['sku'],
    input: productSchema,
    output: productSchema,
    request: (c) => ({ method: 'POST', path: `${V1(c.options)}/products`, body: { product: record(c) } }),
  },
  'products.update': {
    description: 'Partial product update: only the attributes sent change; everything else stays as it is.',
    vendorName: 'PUT /V1/products/{sku}',
    kind: 'update',
    object: 'product',
    identity: ['sku'],
    input: productSchema,
    output: productSchema,
    request: (c) => ({
      method: 'PUT',
      path: `${V1(c.options)}/products/${seg(record(c).sku, 'sku')}`,
      body: { product: record(c), saveOptions: true },
    }),
    readBack: {
      request: (c) => ({ method: 'GET', path: `${V1(c.options)}/products/${seg(record(c).sku, 'sku')}` }),
      result: (r) => ({ record: (r.body ?? {}) as Row, result: r.body }),
    },
  },
  'stock_items.update': {
    description: 'Update the legacy stock item (default source) of a SKU.',
    vendorName: 'PUT /V1/products/{sku}/stockItems/{itemId}',
    kind: 'update',
    object: 'stock_item',
    identity: ['sku', 'item_id'],
    input: stockItemSchema,
    request: (c) => ({
      method: 'PUT',
      path: `${V1(c.options)}/products/${seg(record(c).sku, 'sku')}/stockItems/${seg(record(c).item_id, 'item_id')}`,
      body: { stockItem: without(record(c), 'sku') },
    }),
  },
  'source_items.save': {
    description: 'Set the quantity and status of a SKU at one inventory source (MSI).',
    vendorName: 'POST /V1/inventory/source-items',
    kind: 'upsert',
    object: 'source_item',
    identity: ['sku', 'source_code'],
    input: sourceItemSchema,
    request: (c) => ({
      method: 'POST',
      path: `${V1(c.options)}/inventory/source-items`,
      body: { sourceItems: [record(c)] },
    }),
    result: () => ({ saved: true }),
  },
  'shipments.create': {
    description: 'Ship an order (all or some items) with tracking numbers. Returns the shipment id.',
    vendorName: 'POST /V1/order/{orderId}/ship',
    kind: 'create',
    object: 'shipment',
    identity: ['order_id'],
    input: shipmentSchema,
    request: (c) => ({
      method: 'POST',
      path: `${V1(c.options)}/order/${seg(record(c).order_id, 'order_id')}/ship`,
      body: without(record(c), 'order_id'),
    }),
    result: (r) => ({ id: Number(r.body) }),
  },
  'shipments.search': searchByOrder(
    'shipment',
    'shipments',
    shipmentRecordSchema,
    "An order's shipments (searchCriteria on order_id): finds a shipment whose answer was lost.",
  ),
  'orders.comment': {
    description:
      "Add a comment to an order's history (e.g. delivered, returned), e-mailing the customer if asked; Magento " +
      'keeps every comment it is sent, so a comment whose answer was lost is looked up with orders.comments.',
    vendorName: 'POST /V1/orders/{id}/comments',
    kind: 'create',
    object: 'order_comment',
    identity: ['order_id'],
    input: orderCommentSchema,
    request: (c) => ({
      method: 'POST',
      path: `${V1(c.options)}/orders/${seg(record(c).order_id, 'order_id')}/comments`,
      body: { statusHistory: { ...without(record(c), 'order_id'), parent_id: Number(record(c).order_id) } },
    }),
    result: () => ({ saved: true }),
  },
  'orders.comments': {
    description: "An order's history comments, newest first: finds a comment whose answer was lost.",
    vendorName: 'GET /V1/orders/{id}/comments',
    kind: 'query',
    object: 'order_comment',
    input: orderIdInput,
    output: {
      type: 'object',
      properties: { items: { type: 'array', items: orderCommentRecordSchema }, total_count: { type: 'integer' } },
    },
    request: (c) => ({
      method: 'GET',
      path: `${V1(c.options)}/orders/${seg(record(c).order_id, 'order_id')}/comments`,
    }),
  },
  'invoices.create': {
    description: 'Invoice an order (optionally capturing payment). Returns the invoice id.',
    vendorName: 'POST /V1/order/{orderId}/invoice',
    kind: 'create',
    object: 'invoice',
    identity: ['order_id'],
    input: invoiceSchema,
    request: (c) => ({
      method: 'POST',
      path: `${V1(c.options)}/order/${seg(record(c).order_id, 'order_id')}/invoice`,
      body: without(record(c), 'order_id'),
    }),
    result: (r) => ({ id: Number(r.body) }),
  },
  'invoices.search': searchByOrder(
    'invoice',
    'invoices',
    invoiceRecordSchema,
    "An order's invoices (searchCriteria on order_id): finds an invoice whose answer was lost.",
  ),
  'carts.get': {
    description: 'Read a cart or negotiable quote: its items and, for a quote, its status and negotiated price.',
    vendorName: 'GET /V1/carts/{cartId}',
    kind: 'read',
    object: 'cart',
    identity: ['id'],
    output: cartSchema,
    request: (c) => ({ method: 'GET', path: `${V1(c.options)}/carts/${seg(record(c).id, 'id')}` }),
  },
  'carts.search': {
    description:
      "A customer's carts and negotiable quotes (searchCriteria on customer_id): finds a draft whose answer was lost.",
    vendorName: 'GET /V1/carts/search?searchCriteria',
    kind: 'query',
    object: 'cart',
    input: {
      type: 'object',
      required: ['customer_id'],
      properties: { customer_id: { type: ['integer', 'string'], description: 'Customer id.' } },
    },
    output: {
      type: 'object',
      properties: {
        items: { type: 'array', items: cartSchema },
        search_criteria: { type: 'object' },
        total_count: { type: 'integer' },
      },
    },
    // Newest first and as many as input limits allow: a customer's carts pile up (each checkout leaves one), and a
    // store with input limits answers 20 to a search that names no page size; the draft a find looks for is new.
    request: (c) => ({
      method: 'GET',
      path: `${V1(c.options)}/carts/search`,
      query: {
        ...filter('customer_id', String(seg(record(c).customer_id, 'customer_id')), 'eq'),
        'searchCriteria[sortOrders][0][field]': 'entity_id',
        'searchCriteria[sortOrders][0][direction]': 'DESC',
        'searchCriteria[pageSize]': MAX_PAGE_SIZE,
      },
    }),
  },
  'negotiable_quotes.draft': {
    description: 'B2B: start an empty draft negotiable quote for a company buyer. Returns the quote id.',
    vendorName: 'POST /V1/negotiableQuote/draft',
    kind: 'create',
    object: 'negotiable_quote',
    input: quoteDraftSchema,
    request: (c) => ({ method: 'POST', path: `${V1(c.options)}/negotiableQuote/draft`, body: record(c) }),
    result: (r) => ({ id: Number(r.body) }),
  },
  'negotiable_quotes.update': {
    description:
      'B2B: add or change items, the name, the negotiated price and the expiration of a quote the seller holds.',
    vendorName: 'PUT /V1/negotiableQuote/{quoteId}',
    kind: 'update',
    object: 'negotiable_quote',
    identity: ['id'],
    input: negotiableQuoteSchema,
    request: (c) => ({
      method: 'PUT',
      path: `${V1(c.options)}/negotiableQuote/${seg(record(c).id, 'id')}`,
      body: { quote: record(c) },
    }),
    result: (_r, c) => ({ id: Number(record(c).id) }),
  },
  'negotiable_quotes.submit': {
    description: 'B2B: send the quote to the buyer, who can then accept it and place the order.',
    vendorName: 'POST /V1/negotiableQuote/submitToCustomer',
    kind: 'action',
    object: 'negotiable_quote',
    identity: ['quoteId'],
    input: quoteSubmitSchema,
    request: (c) => ({
      method: 'POST',
      path: `${V1(c.options)}/negotiableQuote/submitToCustomer`,
      body: { files: [], ...record(c) },
    }),
    result: (_r, c) => ({ id: Number(record(c).quoteId), submitted: true }),
  },
  'negotiable_quotes.decline': {
    description:
      'B2B: decline a quote (e.g. the invoice behind it was paid elsewhere); its negotiated price is removed.',
    vendorName: 'POST /V1/negotiableQuote/decline',
    kind: 'action',
    object: 'negotiable_quote',
    identity: ['quoteId'],
    input: quoteDeclineSchema,
    request: (c) => ({ method: 'POST', path: `${V1(c.options)}/negotiableQuote/decline`, body: record(c) }),
    result: (_r, c) => ({ id: Number(record(c).quoteId), declined: true }),
  },
  ...magentoPriceOperations,
  ...magentoConfigurableOperations,
  ...magentoCategoryOperations,
  ...magentoCompanyCreditOperations,
  ...magentoChangeOperations,
  ...attributeOperations,
};
