/** The M3 emulator's tables: customers, suppliers, items, orders, purchase orders, invoices, vouchers, balances. */

export type Row = Record<string, string>;

/** The company: tables by record type, locked records, number series. */
export interface M3State {
  tables: Record<string, Map<string, Row>>;
  /** Records the emulator reports as locked by another user (`<object>/<id>`). */
  locked: Set<string>;
  sequences: Record<string, number>;
}

/** A fresh company: a template and one real customer, one supplier, one item with stock, one document of each kind. */
export function seedM3State(): M3State {
  const tables: Record<string, Map<string, Row>> = {};
  for (const name of [
    'customer',
    'supplier',
    'item',
    'order_head',
    'order_line',
    'purchase_order',
    'purchase_order_line',
    'supplier_invoice',
    'supplier_invoice_line',
    'gl_voucher_line',
    'inventory',
  ])
    tables[name] = new Map();
  tables.customer.set('TEMPLATE', { CUNO: 'TEMPLATE', CUNM: 'Template customer', STAT: '20' });
  tables.customer.set('10042', { CUNO: '10042', CUNM: 'Ada Lovelace', TOWN: 'San Francisco', CSCD: 'US', STAT: '20' });
  tables.item.set('MUG-1', { ITNO: 'MUG-1', ITDS: 'Enamel Mug', ITTY: 'FG', UNMS: 'EA', ITCL: 'HOME', STAT: '20' });
  tables.inventory.set('MUG-1/100', { ITNO: 'MUG-1', WHLO: '100', STQT: '120', ALQT: '4', PLQT: '0' });
  tables.supplier.set('V000012', {
    SUNO: 'V000012',
    SUNM: 'Enamelware Co',
    SUTY: '1',
    CSCD: 'US',
    CUCD: 'USD',
    TEPY: '30',
    STAT: '20',
  });
  // One document of each numbered kind, so lines can be added without a head in the same test.
  tables.order_head.set('1000000', {
    CUNO: '10042',
    ORTP: 'A01',
    ORDT: '20261101',
    ORNO: '1000000',
    ORST: '22',
    ORSL: '22',
    CUOR: 'SEED',
  });
  tables.purchase_order.set('2000000', { SUNO: 'V000012', WHLO: '100', DWDT: '20261201', PUNO: '2000000' });
  tables.supplier_invoice.set('3000', { SUNO: 'V000012', SINO: 'INV-1', IVDT: '20261101', CUAM: '100', INBN: '3000' });
  return { tables, locked: new Set(), sequences: { ORNO: 1000000, PUNO: 2000000, INBN: 3000, VONO: 500 } };
}
