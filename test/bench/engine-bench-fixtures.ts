/**
 * Fixtures of the engine bench: a realistic Magento 2 order webhook (about 10 lines, billing and shipping
 * addresses, payment, status history), the integration that maps it to an ERP order, and the `erp` connection it
 * delivers through (the built-in `http` connector, so the real connector and HTTP stack run).
 */
import type { Wiring } from '../../engine/cli/wiring.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';

const SKUS = [
  'MH01-XS-Black',
  'MJ12-M-Blue',
  'WS03-L-Red',
  'MP05-32-Green',
  'WB04-S-Gray',
  '24-MB02',
  '24-WG085',
  'MS10-XL-White',
  'WJ06-M-Purple',
  'MT07-L-Gray',
  'WSH12-29-Red',
  '24-UG06',
];

/** Magento order `n`, shaped like `GET /V1/orders/{id}` (the body of an order webhook). */
export function magentoOrder(n: number): Record<string, unknown> {
  const items = Array.from({ length: 10 }, (_, i) => ({
    item_id: n * 100 + i,
    sku: SKUS[(n + i) % SKUS.length],
    name: `Product ${SKUS[(n + i) % SKUS.length]}`,
    product_type: i === 9 ? 'configurable' : 'simple',
    qty_ordered: 1 + ((n + i) % 4),
    price: 19.5 + ((n * 7 + i * 13) % 80),
    row_total: (19.5 + ((n * 7 + i * 13) % 80)) * (1 + ((n + i) % 4)),
    tax_amount: 3.2 + (i % 5),
    discount_amount: i % 3 === 0 ? 5 : 0,
    weight: 0.5 + i / 10,
    store_id: 1 + (n % 3),
  }));
  const address = (type: string) => ({
    address_type: type,
    firstname: 'Veronica',
    lastname: `Costello-${n}`,
    company: 'Luma Retail GmbH',
    street: [`${10 + (n % 90)} Main Street`, 'Building B'],
    city: 'Calder',
    region: 'Michigan',
    region_code: 'MI',
    postcode: '49628-7978',
    country_id: ['US', 'DE', 'GB', 'FR'][n % 4],
    telephone: '(555) 229-3326',
    email: `customer${n}@example.com`,
  });
  return {
    entity_id: n,
    increment_id: String(100000000 + n),
    state: 'processing',
    status: 'processing',
    created_at: '2026-11-21 14:05:33',
    updated_at: '2026-11-21 14:06:02',
    customer_id: 1000 + (n % 500),
    customer_email: `customer${n}@example.com`,
    customer_firstname: 'Veronica',
    customer_lastname: `Costello-${n}`,
    order_currency_code: 'EUR',
    grand_total: items.reduce((s, i) => s + i.row_total, 0),
    subtotal: items.reduce((s, i) => s + i.row_total, 0) - 12,
    tax_amount: 41.6,
    shipping_amount: 5,
    discount_amount: -12,
    total_qty_ordered: items.reduce((s, i) => s + i.qty_ordered, 0),
    billing_address: address('billing'),
    extension_attributes: {
      shipping_assignments: [{ shipping: { address: address('shipping'), method: 'flatrate_flatrate' } }],
    },
    payment: {
      method: ['checkmo', 'braintree', 'paypal_express'][n % 3],
      amount_ordered: 300,
      last_trans_id: `txn-${n}`,
      additional_information: ['Check / Money order'],
    },
    items,
    status_histories: [
      { comment: 'Order placed', created_at: '2026-11-21 14:05:33', status: 'pending' },
      { comment: 'Payment captured', created_at: '2026-11-21 14:06:02', status: 'processing' },
    ],
  };
}

/**
 * The integration: Magento order webhook -> ERP order (`PUT /orders/<key>`, upsert by order number) on the fake ERP.
 */
export const ORDER_INTEGRATION = `apiVersion: junction/v1
kind: Integration
name: magento-orders-to-erp
source: { webhook: { max_body_bytes: 262144, verify: none } }
key: $string(entity_id)
dedup_id: increment_id & "-" & updated_at
when: status = "processing"
steps:
  - id: order
    connection: erp
    operation: put
    params: { path: "/orders/{key}", object: order, id_field: key }
    body: |
      (
        $ship := extension_attributes.shipping_assignments[0].shipping.address;
        $addr := function($a) { {
          "name": $a.firstname & " " & $a.lastname, "company": $a.company, "street": $join($a.street, ", "),
          "city": $a.city, "zip": $a.postcode, "country": $lookup("countries", $a.country_id), "phone": $a.telephone
        } };
        {
          "key": "order-" & increment_id,
          "order_no": increment_id,
          "order_date": $replace($substring(created_at, 0, 10), "-", ""),
          "customer_no": "C" & $string(customer_id),
          "currency": order_currency_code,
          "bill_to": $addr(billing_address),
          "ship_to": $addr($ship),
          "payment_terms": $lookup("payment-terms", payment.method),
          "payment_ref": payment.last_trans_id,
          "lines": $map(items[product_type = "simple"], function($i, $n) { {
            "line_no": ($n + 1) * 10, "item_no": $i.sku, "quantity": $i.qty_ordered,
            "unit_price": $round($i.price, 2), "discount": $i.discount_amount,
            "warehouse": $lookup("warehouses", $string($i.store_id))
          } }),
          "total": $round($sum(items[product_type = "simple"].row_total), 2),
          "line_count": $count(items[product_type = "simple"])
        }
      )
owns:
  - { connection: erp, object: order, fields: ["*"] }
retry: { max_attempts: 5, initial: 50ms, max: 1s }
`;

export const BENCH_LOOKUPS: Record<string, string> = {
  'countries.yaml':
    'apiVersion: junction/v1\nkind: Lookup\nname: countries\nentries: { US: USA, DE: DEU, GB: GBR, FR: FRA }\n',
  'payment-terms.yaml':
    'apiVersion: junction/v1\nkind: Lookup\nname: payment-terms\nentries: { checkmo: NET30, braintree: CC, paypal_express: PP }\ndefault: NET30\n',
  'warehouses.yaml':
    'apiVersion: junction/v1\nkind: Lookup\nname: warehouses\nentries: { "1": W01, "2": W02, "3": W03 }\n',
};

/** The `erp` connection: the generic HTTP connector on the fake ERP's base URL. */
export function erpConnection(baseUrl: string): string {
  return `apiVersion: junction/v1\nkind: Connection\nname: erp\ntype: http\nbase_url: ${baseUrl}\ntimeout: 5s\n`;
}

/**
 * The bench's spec set, compiled exactly as `junction run` compiles a directory (built-in connectors, default JSONata
 * engine).
 */
export function compileBenchSpecs(wiring: Wiring, erpUrl: string): CompiledSpecSet {
  const files: Record<string, string> = {
    'erp.yaml': erpConnection(erpUrl),
    'magento-orders-to-erp.yaml': ORDER_INTEGRATION,
    ...BENCH_LOOKUPS,
  };
  const tree = {
    displayRoot: '.',
    files: Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text) })),
  };
  const result = wiring.compileTree(tree);
  if (!result.specSet)
    throw new Error(
      `bench specs do not compile:\n${result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`).join('\n')}`,
    );
  return result.specSet;
}
