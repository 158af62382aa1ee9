/**
 * The BNG webhook bodies the BNG -> M3 end-to-end tests send: a customer and its order, a vendor, its purchase order,
 * invoice, a payment and a credit memo.
 */

/** Business customer 601, Grace `lastName` (M3 customer B00000601), as changed at `updatedAt`. */
export const bngCustomer = (lastName: string, updatedAt: string) => ({
  customer: {
    id: 601,
    type: 'business',
    first_name: 'Grace',
    last_name: lastName,
    email: 'grace@example.com',
    updated_at: updatedAt,
    address: { line1: '7 Harbor Rd', city: 'Arlington', postcode: '22201', country: 'US' },
  },
});

/** Customer 601's paid web order 9101: 2 MUG-1 at 12.50 and 1 CAP-1 at 18. */
export const bngOrder = (changes: Record<string, unknown> = {}) => ({
  order: {
    id: 9101,
    customer_id: 601,
    channel: 'web',
    region: 'west',
    payment_status: 'paid',
    currency: 'USD',
    placed_at: '2026-12-01T12:00:00Z',
    updated_at: '2026-12-01T12:01:00Z',
    customer_reference: 'PO-9101',
    lines: [
      { sku: 'mug-1', quantity: 2, unit_price: 12.5 },
      { sku: 'cap-1', quantity: 1, unit_price: 18 },
    ],
    ...changes,
  },
});

/** An approved vendor (M3 supplier `V` + id). */
export const bngVendor = (id: number, changes: Record<string, unknown> = {}) => ({
  vendor: {
    id,
    legal_name: 'Kettle Works Ltd',
    country: 'GB',
    currency: 'GBP',
    payment_terms_days: 60,
    phone: '+44 20 7946 0001',
    approved: true,
    updated_at: '2026-12-01T09:00:00Z',
    ...changes,
  },
});

/** An approved purchase order of `vendorId`: 100 MUG-1 at 4.20 and 50 TEE-1 at 6.50. */
export const bngPurchaseOrder = (id: number, vendorId: number) => ({
  po: {
    id,
    vendor_id: vendorId,
    region: 'east',
    status: 'approved',
    currency: 'GBP',
    created_at: '2026-12-01T09:00:00Z',
    due_date: '2026-12-20',
    updated_at: '2026-12-01T09:05:00Z',
    lines: [
      { sku: 'mug-1', quantity: 100, unit_cost: 4.2 },
      { sku: 'tee-1', quantity: 50, unit_cost: 6.5 },
    ],
  },
});

/** The supplier's invoice `number` for both lines of purchase order `poId`. */
export const bngSupplierInvoice = (id: number, ref: { vendorId: number; poId: number; number: string }) => ({
  invoice: {
    id,
    kind: 'supplier',
    vendor_id: ref.vendorId,
    po_id: ref.poId,
    number: ref.number,
    date: '2026-12-02',
    currency: 'GBP',
    vat: 0,
    lines: [
      { po_line: '10', quantity: 100, unit_cost: 4.2 },
      { po_line: '20', quantity: 50, unit_cost: 6.5 },
    ],
  },
});

/** A settled card payment of `amount` USD for order 9101. */
export const bngPayment = (id: number, amount: number) => ({
  payment: {
    id,
    order_id: 9101,
    method: 'card',
    status: 'settled',
    amount,
    currency: 'USD',
    settled_at: '2026-12-01T23:00:00Z',
  },
});

/** An issued credit memo of order 9101: two returned lines and their tax, which come to 46.44 (`total` may differ). */
export const bngCreditMemo = (id: number, total: number) => ({
  credit_memo: {
    id,
    order_id: 9101,
    customer_id: 601,
    status: 'issued',
    currency: 'USD',
    issued_at: '2026-12-04T09:00:00Z',
    lines: [
      { sku: 'mug-1', quantity: 2, amount: 25, tax: 2 },
      { sku: 'cap-1', quantity: 1, amount: 18, tax: 1.44 },
    ],
    total,
  },
});
