/**
 * Fixtures of the scale bench's engine-bound line: a B2B Magento order with many lines, and an ERP order mapping of
 * the kind a real integration carries (per line: item, unit, tax code and warehouse looked up, net and tax computed;
 * per order: a tax summary per tax code and a shipment per warehouse, each aggregated over the lines). The mapping's
 * CPU dwarfs what the order costs nats-server, the load generator and the fake ERP, so the engine processes are the
 * bottleneck and a second worker can show whether it adds capacity.
 */
import { ORDER_INTEGRATION, magentoOrder } from './engine-bench-fixtures.js';

/** Lines per order: a large B2B order, not an artificial one (Magento's admin lists orders of hundreds of lines). */
export const LARGE_ORDER_LINES = 150;

/** The catalogue the lines are drawn from; each SKU has an ERP item number in the `erp-items` lookup. */
const CATALOGUE = 400;
const TAX_CLASSES = ['standard', 'reduced', 'zero', 'services'];
const UNITS = ['pcs', 'box', 'kg', 'm', 'pair'];
const SOURCES = ['default', 'eu-central', 'eu-north', 'uk'];

const skuOf = (i: number) => `B2B-${String(i).padStart(4, '0')}`;

/** Magento order `n` with `lines` items (the header of the engine bench's order, its items replaced). */
export function largeMagentoOrder(n: number, lines = LARGE_ORDER_LINES): Record<string, unknown> {
  const items = Array.from({ length: lines }, (_, i) => {
    const product = (n * 31 + i * 7) % CATALOGUE;
    const qty = 1 + ((n + i) % 12);
    const price = 4.75 + ((n * 13 + i * 29) % 500) / 4;
    return {
      item_id: n * 1000 + i,
      sku: skuOf(product),
      name: `Product ${skuOf(product)} industrial grade, assorted`,
      product_type: i % 25 === 24 ? 'configurable' : 'simple',
      qty_ordered: qty,
      price,
      row_total: price * qty,
      discount_percent: [0, 0, 5, 10, 2.5][(n + i) % 5],
      weight: 0.2 + (product % 40) / 8,
      extension_attributes: {
        tax_class: TAX_CLASSES[product % TAX_CLASSES.length],
        uom: UNITS[product % UNITS.length],
        source_code: SOURCES[(n + i) % SOURCES.length],
      },
    };
  });
  const total = items.reduce((s, i) => s + i.row_total, 0);
  return {
    ...magentoOrder(n),
    items,
    subtotal: total,
    grand_total: total,
    total_qty_ordered: items.reduce((s, i) => s + i.qty_ordered, 0),
  };
}

/** The ERP mapping of a large order: its lines, a tax summary per tax code and a shipment per warehouse. */
const LARGE_ORDER_BODY = `      (
        $lines := $map(items[product_type = "simple"], function($i, $n) { (
          $x := $i.extension_attributes;
          $net := $round($i.price * $i.qty_ordered * (1 - $i.discount_percent / 100), 2);
          {
            "line_no": ($n + 1) * 10,
            "item_no": $lookup("erp-items", $i.sku),
            "description": $substring($i.name, 0, 30),
            "quantity": $i.qty_ordered,
            "unit": $lookup("units", $x.uom),
            "unit_price": $round($i.price, 2),
            "discount_pct": $i.discount_percent,
            "net_amount": $net,
            "tax_code": $lookup("tax-codes", $x.tax_class),
            "tax_amount": $round($net * $number($lookup("tax-rates", $x.tax_class)), 2),
            "warehouse": $lookup("warehouses-by-source", $x.source_code),
            "weight_kg": $round($i.weight * $i.qty_ordered, 3),
            "requested_date": $replace($substring(created_at, 0, 10), "-", ""),
            "customer_item_ref": $uppercase(customer_id & "-" & $i.sku)
          }
        ) })^(warehouse, item_no);
        {
          "key": "order-" & increment_id,
          "order_no": increment_id,
          "order_date": $replace($substring(created_at, 0, 10), "-", ""),
          "customer_no": "C" & $string(customer_id),
          "currency": order_currency_code,
          "lines": $lines,
          "tax_summary": $map($distinct($lines.tax_code), function($c) { (
            $ls := $lines[tax_code = $c];
            { "tax_code": $c, "base": $round($sum($ls.net_amount), 2), "tax": $round($sum($ls.tax_amount), 2), "lines": $count($ls) }
          ) }),
          "shipments": $map($distinct($lines.warehouse), function($w) { (
            $ls := $lines[warehouse = $w];
            { "warehouse": $w, "line_nos": [$ls.line_no], "quantity": $sum($ls.quantity), "weight_kg": $round($sum($ls.weight_kg), 3) }
          ) }),
          "net_total": $round($sum($lines.net_amount), 2),
          "tax_total": $round($sum($lines.tax_amount), 2),
          "line_count": $count($lines)
        }
      )
`;

/**
 * Magento order (large) -> ERP sales order (`PUT /orders/<key>`): the engine bench's integration with this mapping and
 * room for a large body.
 */
export const LARGE_ORDER_INTEGRATION = ORDER_INTEGRATION.replace(/^name: .*$/m, 'name: magento-large-orders-to-erp')
  .replace(/max_body_bytes: \d+/, 'max_body_bytes: 1048576')
  .replace(/^ {4}body: \|\n[\s\S]*?(?=^owns:)/m, () => `    body: |\n${LARGE_ORDER_BODY}`);

const lookup = (name: string, entries: Record<string, string>) =>
  `apiVersion: junction/v1\nkind: Lookup\nname: ${name}\nentries: ${JSON.stringify(entries)}\n`;

/** The mapping's lookup tables, by file name. */
export const LARGE_ORDER_LOOKUPS: Record<string, string> = {
  'erp-items.yaml': lookup(
    'erp-items',
    Object.fromEntries(Array.from({ length: CATALOGUE }, (_, i) => [skuOf(i), `IT${String(100000 + i)}`])),
  ),
  'units.yaml': lookup('units', { pcs: 'EA', box: 'BX', kg: 'KGM', m: 'MTR', pair: 'PR' }),
  'tax-codes.yaml': lookup('tax-codes', { standard: 'VAT20', reduced: 'VAT5', zero: 'VAT0', services: 'VATS' }),
  'tax-rates.yaml': lookup('tax-rates', { standard: '0.2', reduced: '0.05', zero: '0', services: '0.2' }),
  'warehouses-by-source.yaml': lookup('warehouses-by-source', {
    default: 'W01',
    'eu-central': 'W02',
    'eu-north': 'W03',
    uk: 'W04',
  }),
};
