/** The Magento emulator's in-memory store, seeded with a small catalogue, a customer and orders. */
import { now } from './catalog-routes.js';
import { newProductAttributes, savedStockItem } from './product-defaults.js';
import { urlKeyOf } from './url-key.js';

export type Row = Record<string, unknown>;

/** Everything the Magento emulator stores. */
export interface MagentoState {
  /** Store view codes valid in `/rest/<store>/V1`. */
  stores: Set<string>;
  /** MSI inventory source codes. */
  sources: Set<string>;
  products: Map<string, Row>;
  /** Categories by id, as CategoryRepository::get answers them (CategoryInterface; the store's root is 2). */
  categories: Map<number, Row>;
  /** Customer groups by id: code (tier prices name them by it) and customer tax class (which tax rules apply). */
  customerGroups: Map<number, { code: string; tax_class_id: number }>;
  /** B2B companies (Adobe Commerce) by id: `id, company_name, super_user_id`. */
  companies: Map<number, Row>;
  /** B2B company credit by credit id: one per company (`id, company_id, credit_limit, balance, currency_code, …`). */
  companyCredits: Map<number, Row>;
  /** Tier and customer-group prices by SKU (the price APIs' own storage). */
  tierPrices: Map<string, Row[]>;
  /** Special prices by SKU. */
  specialPrices: Map<string, Row[]>;
  sourceItems: Map<string, Row>;
  customers: Map<number, Row>;
  orders: Map<number, Row>;
  shipments: Row[];
  invoices: Row[];
  /** Credit memos (refunds) by entity id. */
  creditmemos: Map<number, Row>;
  /** B2B negotiable quotes by quote (cart) id. */
  negotiableQuotes: Map<number, Row>;
  nextId: {
    customer: number;
    address: number;
    shipment: number;
    invoice: number;
    quote: number;
    order: number;
    creditmemo: number;
    comment: number;
    /** Configurable options (catalog_product_super_attribute ids). */
    configurableOption: number;
    /** B2B companies. */
    company: number;
    /** B2B company credit records (a sequence of their own: a company's credit id is not its company id). */
    companyCredit: number;
  };
}

/**
 * A fresh store: three products plus the virtual INVOICE-PAYMENT product (priced 0: open-invoice quotes set its
 * price by negotiation), one customer, one order, and the default plus five MSI sources.
 */
export function seedMagentoState(): MagentoState {
  const product = (sku: string, name: string, price: number, id: number): Row => ({
    id,
    sku,
    name,
    price,
    status: 1,
    visibility: 4,
    type_id: 'simple',
    attribute_set_id: 4,
    // catalog_product_entity's created_at and updated_at are NOT NULL (docs/connectors.md): a product has both.
    created_at: '2026-10-01 08:00:00',
    updated_at: '2026-10-01 08:00:00',
    // Created as a new product is (product-defaults.ts): what the admin wrote, and what the save added.
    custom_attributes: newProductAttributes({ name }, [
      { attribute_code: 'description', value: `<p>${name}, lovingly described by the marketing team.</p>` },
      { attribute_code: 'meta_title', value: `${name} | Example Store` },
      { attribute_code: 'url_key', value: sku.toLowerCase() },
    ]),
    media_gallery_entries: [
      {
        id, // the gallery's value id, one per image across the store: each product has one, in product order
        media_type: 'image',
        label: name,
        position: 1,
        disabled: false, // answered with every entry (the Adobe tutorial's GET /V1/products/:sku/media)
        file: `/m/${sku.toLowerCase()}.jpg`,
        types: ['image', 'thumbnail'],
      },
    ],
    // The store's one website (ProductRepository assigns a new product to it); 100 in stock, each product's stock
    // item saved after it (so its item id is the product's).
    extension_attributes: { website_ids: [1], stock_item: savedStockItem(id, id, { qty: 100, is_in_stock: true }) },
  });
  const invoicePayment: Row = {
    ...product('INVOICE-PAYMENT', 'Invoice payment', 0, 4),
    type_id: 'virtual',
    visibility: 1,
  };
  const products = new Map(
    [
      product('MUG-1', 'Enamel Mug', 12.5, 1),
      product('TEE-1', 'Organic Tee', 25, 2),
      product('CAP-1', 'Canvas Cap', 18, 3),
      invoicePayment,
    ].map((p) => [String(p.sku), p]),
  );
  return {
    stores: new Set(['default', 'all']),
    sources: new Set(['default', 'east_warehouse', 'west_warehouse', 'nyc_store', 'main_warehouse', 'city_store']),
    products,
    categories: seedCategories(),
    // A default install's groups (tax class 3, Retail Customer), plus the seed store's payment-terms groups and
    // their tax-exempt twins, of the store's own customer tax class 4 (Tax Exempt), which no tax rule names.
    customerGroups: new Map(
      (
        [
          [0, 'NOT LOGGED IN', 3],
          [1, 'General', 3],
          [2, 'Wholesale', 3],
          [3, 'Retailer', 3],
          [4, 'Net 30', 3],
          [5, 'Net 60', 3],
          [6, 'Tax Exempt', 4],
          [7, 'Net 30 Tax Exempt', 4],
          [8, 'Net 60 Tax Exempt', 4],
        ] as const
      ).map(([id, code, taxClass]) => [id, { code, tax_class_id: taxClass }]),
    ),
    companies: new Map(),
    companyCredits: new Map(),
    tierPrices: new Map(),
    specialPrices: new Map(),
    sourceItems: new Map(),
    customers: new Map([
      [
        42,
        {
          id: 42,
          email: 'ada@example.com',
          firstname: 'Ada',
          lastname: 'Lovelace',
          group_id: 1,
          website_id: 1,
          store_id: 1, // as a customer the API creates gets (customer-routes.ts): CustomerInterface answers it
          // customer_entity's created_at and updated_at are NOT NULL (docs/connectors.md): a customer always has both.
          created_at: '2026-11-02 09:30:00',
          updated_at: '2026-11-02 09:30:00',
          addresses: [],
        },
      ],
    ]),
    orders: new Map([[1001, sampleOrder(1001)]]),
    shipments: [],
    invoices: [],
    creditmemos: new Map(),
    negotiableQuotes: new Map(),
    nextId: {
      customer: 100,
      address: 1,
      shipment: 1,
      invoice: 1,
      quote: 31,
      order: 5001,
      creditmemo: 1,
      comment: 1,
      configurableOption: 1,
      company: 1,
      companyCredit: 1,
    },
  };
}

/**
 * A default install's tree (1 the hidden root, 2 Default Category: the default store's root) with the seed store's
 * Shop (3) and its Kitchen (11) and Apparel (12), the ids of specs/magento-ff/lookups/magento-categories.yaml.
 */
function seedCategories(): Map<number, Row> {
  const rows: [number, number, string][] = [
    [1, 0, 'Root Catalog'],
    [2, 1, 'Default Category'],
    [3, 2, 'Shop'],
    [11, 3, 'Kitchen'],
    [12, 3, 'Apparel'],
  ];
  const categories = new Map<number, Row>();
  for (const [id, parentId, name] of rows) {
    const parent = categories.get(parentId);
    const level = parent ? Number(parent.level) + 1 : 0;
    const path = parent ? `${String(parent.path)}/${id}` : String(id);
    const descendants = rows.filter(([other]) => other !== id && pathOf(rows, other).includes(id)).length;
    // The seed store's own categories have URL keys and paths under the store's root, as a save gives them.
    const url = level > 1 ? [{ attribute_code: 'url_key', value: urlKeyOf(name) }] : [];
    if (level > 1) url.push({ attribute_code: 'url_path', value: urlPathOf(rows, id) });
    const custom_attributes = [...url, { attribute_code: 'children_count', value: String(descendants) }];
    // Each after its siblings, as the resource model's _beforeSave places a new category.
    const position = rows.filter(([, other]) => other === parentId).findIndex(([other]) => other === id) + 1;
    categories.set(id, { id, parent_id: parentId, name, is_active: true, position, level, path, custom_attributes });
  }
  return categories;
}

/** The ids from the top of the tree down to a seed category. */
function pathOf(rows: [number, number, string][], id: number): number[] {
  const row = rows.find(([other]) => other === id);
  return row && row[1] ? [...pathOf(rows, row[1]), id] : [id];
}

/** A seed category's URL path: the URL keys below the store's root (Default Category, level 1). */
function urlPathOf(rows: [number, number, string][], id: number): string {
  return pathOf(rows, id)
    .slice(2)
    .map((step) => urlKeyOf(rows.find(([other]) => other === step)![2]))
    .join('/');
}

/** A realistic completed order, used as the seed and by tests and the demo's traffic generator. */
export function sampleOrder(entityId: number, overrides: Row = {}): Row {
  return {
    entity_id: entityId,
    increment_id: `0000${entityId}`,
    quote_id: entityId - 984, // the cart it was placed from (every storefront order has one)
    state: 'complete',
    status: 'complete',
    created_at: '2026-11-20 10:15:02',
    updated_at: '2026-11-20 11:00:00',
    customer_id: 42,
    customer_email: 'ada@example.com',
    customer_firstname: 'Ada',
    customer_lastname: 'Lovelace',
    order_currency_code: 'USD',
    subtotal: 62.5,
    discount_amount: -6.25,
    shipping_amount: 5,
    shipping_tax_amount: 0.41,
    shipping_discount_amount: 0,
    shipping_description: 'Flat Rate - Fixed',
    tax_amount: 5.05,
    grand_total: 66.71,
    // qty_shipped, qty_invoiced, qty_refunded default to 0 (sales_order_item), never absent.
    items: [
      {
        item_id: entityId * 10 + 1,
        sku: 'MUG-1',
        name: 'Enamel Mug',
        qty_ordered: 2,
        qty_shipped: 0,
        qty_invoiced: 0,
        qty_refunded: 0,
        price: 12.5,
        row_total: 25,
        tax_amount: 2.06,
        tax_percent: 8.25,
        discount_amount: 2.5,
        product_type: 'simple',
      },
      {
        item_id: entityId * 10 + 2,
        sku: 'TEE-1',
        name: 'Organic Tee',
        qty_ordered: 1,
        qty_shipped: 0,
        qty_invoiced: 0,
        qty_refunded: 0,
        price: 25,
        row_total: 25,
        tax_amount: 2.06,
        tax_percent: 8.25,
        discount_amount: 2.5,
        product_type: 'configurable',
      },
      {
        item_id: entityId * 10 + 3,
        sku: 'TEE-1-M',
        name: 'Organic Tee - M',
        qty_ordered: 1,
        qty_shipped: 0,
        qty_invoiced: 0,
        qty_refunded: 0,
        price: 0,
        row_total: 0,
        tax_amount: 0,
        tax_percent: 0,
        discount_amount: 0,
        product_type: 'simple',
        parent_item_id: entityId * 10 + 2,
      },
      {
        item_id: entityId * 10 + 4,
        sku: 'CAP-1',
        name: 'Canvas Cap',
        qty_ordered: 1,
        qty_shipped: 0,
        qty_invoiced: 0,
        qty_refunded: 0,
        price: 12.5,
        row_total: 12.5,
        tax_amount: 0.93,
        tax_percent: 8.25,
        discount_amount: 1.25,
        product_type: 'simple',
      },
    ],
    billing_address: {
      address_type: 'billing',
      firstname: 'Ada',
      lastname: 'Lovelace',
      street: ['12 Analytical Way'],
      city: 'San Francisco',
      region: 'California',
      region_code: 'CA',
      postcode: '94107',
      country_id: 'US',
      telephone: '+1 555 0100',
    },
    payment: { method: 'braintree', last_trans_id: `txn_${entityId}`, amount_paid: 66.71, additional_information: [] },
    extension_attributes: {
      // Where it ships (OrderInterface has no shipping address field of its own: ShippingAssignmentInterface).
      shipping_assignments: [
        {
          shipping: {
            method: 'flatrate_flatrate',
            address: {
              address_type: 'shipping',
              firstname: 'Ada',
              lastname: 'Lovelace',
              company: 'Difference Engines Ltd',
              street: ['1 Engine House', 'Unit 4'],
              city: 'Oakland',
              region: 'California',
              region_code: 'CA',
              postcode: '94612',
              country_id: 'US',
              telephone: '+1 555 0101',
            },
          },
        },
      ],
      applied_taxes: [{ code: 'US-CA-*-Rate 1', title: 'US-CA', percent: 8.25, amount: 5.05 }],
      // Each line's own taxes (the Tax module's OrderTaxDetailsItem): product lines by item id, and the shipping.
      item_applied_taxes: [
        ...[
          [1, 2.06],
          [2, 2.06],
          [4, 0.93],
        ].map(([n, amount]) => ({
          type: 'product',
          item_id: entityId * 10 + n,
          applied_taxes: [{ code: 'US-CA-*-Rate 1', title: 'US-CA', percent: 8.25, amount, base_amount: amount }],
        })),
        {
          type: 'shipping',
          item_id: null,
          applied_taxes: [{ code: 'US-CA-*-Rate 1', title: 'US-CA', percent: 8.25, amount: 0.41, base_amount: 0.41 }],
        },
      ],
    },
    ...overrides,
  };
}

/** Stamps a record as changed now, as Magento's save does to `updated_at` (what a poll on updated_at then finds). */
export function touch<T extends Row>(row: T): T {
  (row as Row).updated_at = now();
  return row;
}
