/** Fixtures for `npm run bench:transform`: a realistic Magento order, its ERP mapping (JSONata and hand-written JS). */

export function magentoOrder(): Record<string, unknown> {
  const items = Array.from({ length: 10 }, (_, i) => ({
    item_id: 5000 + i,
    sku: `SKU-${100 + i}`,
    name: `Product ${i} with a reasonably long name`,
    product_type: i % 4 === 3 ? 'configurable' : 'simple',
    parent_item_id: i % 4 === 0 && i > 0 ? 5000 + i - 1 : undefined,
    qty_ordered: 1 + (i % 3),
    price: 19.99 + i * 3.5,
    discount_amount: i % 2 ? 1.25 : 0,
    tax_amount: 2.1 + i * 0.3,
    row_total: (19.99 + i * 3.5) * (1 + (i % 3)),
  }));
  const address = (type: string) => ({
    address_type: type,
    firstname: 'Jane',
    lastname: 'Doe',
    street: ['1 High Street', 'Flat 2'],
    city: 'Winchester',
    postcode: 'SO21 2JN',
    country_id: 'GB',
    telephone: '+44 1234 567890',
    email: 'jane@example.com',
  });
  return {
    entity_id: 100234,
    increment_id: '000100234',
    state: 'complete',
    status: 'complete',
    created_at: '2026-03-23 10:33:36',
    customer_id: 42,
    customer_firstname: 'Jane',
    customer_lastname: 'Doe',
    customer_email: 'jane@example.com',
    order_currency_code: 'GBP',
    grand_total: 512.4,
    subtotal: 480.9,
    shipping_amount: 7.5,
    shipping_discount_amount: 0,
    discount_amount: -12.5,
    tax_amount: 24.1,
    shipping_description: 'Standard delivery',
    items,
    billing_address: address('billing'),
    extension_attributes: {
      shipping_assignments: [{ shipping: { address: address('shipping'), method: 'flatrate_flatrate' } }],
    },
    payment: {
      method: 'checkmo',
      amount_paid: 512.4,
      last_trans_id: 'TX-99812',
      additional_information: ['Check / Money order'],
    },
  };
}

export const ORDER_MAPPING = `(
  $ship := extension_attributes.shipping_assignments[0].shipping;
  $lines := items[product_type = "simple" and $not($exists(parent_item_id))];
  {
    "OrderNumber": "MAG-" & increment_id,
    "OrderDate": $fromMillis($toMillis($substring(created_at, 0, 10), "[Y0001]-[M01]-[D01]"), "[Y0001][M01][D01]"),
    "Customer": {
      "Code": $customers[id = $string($$.customer_id)].code,
      "Name": customer_firstname & " " & customer_lastname,
      "Email": $lowercase(customer_email)
    },
    "Currency": $currencies.(*[$.iso = $$.order_currency_code].erp),
    "BillTo": {
      "Name": billing_address.(firstname & " " & lastname),
      "Street": $join(billing_address.street, ", "),
      "City": billing_address.city,
      "Zip": billing_address.postcode,
      "Country": billing_address.country_id
    },
    "ShipTo": {
      "Name": $ship.address.(firstname & " " & lastname),
      "Street": $join($ship.address.street, ", "),
      "City": $ship.address.city,
      "Zip": $ship.address.postcode,
      "Country": $ship.address.country_id,
      "Method": $ship.method = "flatrate_flatrate" ? "STD" : "EXP"
    },
    "Lines": $map($lines, function($l, $i) {
      {
        "LineNo": ($i + 1) * 10,
        "Item": $l.sku,
        "Description": $substring($l.name, 0, 30),
        "Quantity": $l.qty_ordered,
        "UnitPrice": $round($l.price, 2),
        "Discount": $l.discount_amount > 0 ? $round($l.discount_amount, 2) : 0,
        "Amount": $round($l.price * $l.qty_ordered - $l.discount_amount, 2)
      }
    }),
    "LineCount": $count($lines),
    "Quantity": $sum($lines.qty_ordered),
    "NetAmount": $round($sum($lines.(price * qty_ordered - discount_amount)), 2),
    "Tax": $round($sum($lines.tax_amount), 2),
    "Shipping": shipping_amount > 0 ? $round(shipping_amount - shipping_discount_amount, 2) : 0,
    "Payment": {
      "Method": payment.method = "checkmo" ? "CHEQUE" : $uppercase(payment.method),
      "Reference": payment.last_trans_id,
      "Paid": payment.amount_paid >= grand_total
    },
    "Status": state = "complete" ? "RELEASED" : "OPEN"
  }
)`;

export const ORDER_BINDINGS = {
  customers: [
    { id: '41', code: 'C-0041' },
    { id: '42', code: 'C-0042' },
    { id: '43', code: 'C-0043' },
  ],
  currencies: { gbp: { iso: 'GBP', erp: 'GBP' }, eur: { iso: 'EUR', erp: 'EUR' }, usd: { iso: 'USD', erp: 'USD' } },
};

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const round2 = (n: number) => Math.round(n * 100) / 100;

/** The same mapping written by hand in JS: the lower bound any engine can approach. */
export function handWritten(o: Any, b: typeof ORDER_BINDINGS): Any {
  const ship = o.extension_attributes.shipping_assignments[0].shipping;
  const lines = (o.items as Any[]).filter((l) => l.product_type === 'simple' && l.parent_item_id === undefined);
  const day = o.created_at.substring(0, 10);
  const addr = (a: Any) => ({
    Name: `${a.firstname} ${a.lastname}`,
    Street: a.street.join(', '),
    City: a.city,
    Zip: a.postcode,
    Country: a.country_id,
  });
  return {
    OrderNumber: 'MAG-' + o.increment_id,
    OrderDate: day.replace(/-/g, ''),
    Customer: {
      Code: b.customers.find((c) => c.id === String(o.customer_id))?.code,
      Name: `${o.customer_firstname} ${o.customer_lastname}`,
      Email: o.customer_email.toLowerCase(),
    },
    Currency: Object.values(b.currencies).find((c) => c.iso === o.order_currency_code)?.erp,
    BillTo: addr(o.billing_address),
    ShipTo: { ...addr(ship.address), Method: ship.method === 'flatrate_flatrate' ? 'STD' : 'EXP' },
    Lines: lines.map((l, i) => ({
      LineNo: (i + 1) * 10,
      Item: l.sku,
      Description: l.name.substring(0, 30),
      Quantity: l.qty_ordered,
      UnitPrice: round2(l.price),
      Discount: l.discount_amount > 0 ? round2(l.discount_amount) : 0,
      Amount: round2(l.price * l.qty_ordered - l.discount_amount),
    })),
    LineCount: lines.length,
    Quantity: lines.reduce((s, l) => s + l.qty_ordered, 0),
    NetAmount: round2(lines.reduce((s, l) => s + l.price * l.qty_ordered - l.discount_amount, 0)),
    Tax: round2(lines.reduce((s, l) => s + l.tax_amount, 0)),
    Shipping: o.shipping_amount > 0 ? round2(o.shipping_amount - o.shipping_discount_amount) : 0,
    Payment: {
      Method: o.payment.method === 'checkmo' ? 'CHEQUE' : o.payment.method.toUpperCase(),
      Reference: o.payment.last_trans_id,
      Paid: o.payment.amount_paid >= o.grand_total,
    },
    Status: o.state === 'complete' ? 'RELEASED' : 'OPEN',
  };
}
