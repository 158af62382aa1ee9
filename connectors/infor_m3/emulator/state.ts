/** The M3 emulator's tables: customers, suppliers, items, orders, purchase orders, invoices, vouchers, balances. */

export type Row = Record<string, string>;

export interface M3State {
  tables: Record<string, Map<string, Row>>;
  /** Records the emulator reports as locked by another user (`<object>/<id>`). */
  locked: Set<string>;
  sequences: Record<string, number>;
}

export function seedM3State(): M3State {
  const tables: Record<string, Map<string, Row>> = {};
  for (const name of ['customer', 'supplier', 'item', 'order_head', 'order_line', 'purchase_order', 'purchase_order_line', 'supplier_invoice', 'supplier_invoice_line', 'gl_voucher_line', 'inventory']) tables[name] = new Map();
  tables.customer.set('TEMPLATE', { CUNO: 'TEMPLATE', CUNM: 'Template customer', STAT: '20' });
  tables.customer.set('10042', { CUNO: '10042', CUNM: 'Ada Lovelace', TOWN: 'San Francisco', CSCD: 'US', STAT: '20' });
  tables.item.set('MUG-1', { ITNO: 'MUG-1', ITDS: 'Enamel Mug', ITTY: 'FG', UNMS: 'EA', ITCL: 'HOME', STAT: '20' });
  tables.inventory.set('MUG-1/100', { ITNO: 'MUG-1', WHLO: '100', STQT: '120', ALQT: '4', PLQT: '0' });
  return { tables, locked: new Set(), sequences: { ORNO: 1000000, PUNO: 2000000, INBN: 3000, VONO: 500 } };
}
