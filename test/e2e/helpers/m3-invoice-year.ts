/**
 * M3 customer invoices in tests that hold in any year. `m3-invoices-to-bng` lists one year (OIS350MI/LstInvHead)
 * and moves to the current year a day after New Year, so a test's invoice is dated yesterday (always in the year
 * the poll lists) and the poll starts at the test's first invoice number of that year, after the emulator's seed
 * invoice (dated 2026).
 */
export const invoiceDay = new Date(Date.now() - 86_400_000);
export const invoiceYear = String(invoiceDay.getUTCFullYear());

/** `yyyy-mm-dd` of `day` plus `days`, as the spec writes invoice and due dates. */
export const isoDay = (day: Date, days = 0): string =>
  new Date(day.getTime() + days * 86_400_000).toISOString().slice(0, 10);

/** The `edit` of a seed engine that starts the invoice poll at invoice number `ivno` of `invoiceYear`. */
export const invoicePollFrom = (ivno: number) => ({
  'm3-invoices-to-bng.yaml': (yaml: string) =>
    yaml.replace(/initial_cursor: "\d+"/, `initial_cursor: "${invoiceYear}${String(ivno).padStart(9, '0')}"`),
});
