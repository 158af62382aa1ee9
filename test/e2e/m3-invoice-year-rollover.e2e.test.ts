/**
 * M3 customer invoices across a year end, through the engine (real nats-server, the M3 emulator, BNG as the generic
 * emulator, polls every second). OIS350MI/LstInvHead lists one year, so a poll whose cursor is in a year that has
 * been over for a day must move to the current year: here the cursor starts in last year, and this year's invoices
 * reach BNG, each once.
 */
import { afterEach, expect, it } from 'vitest';
import { invoiceCustomerOrder } from '../../connectors/infor_m3/emulator/customer-invoices.js';
import { expectDrained, waitFor } from '../runtime/helpers/runtime-harness.js';
import { startSeedEngine } from './helpers/seed-engine.js';
import type { SeedEngine } from './helpers/seed-engine.js';

let h: SeedEngine | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

it("a cursor left in last year's invoices moves to this year, whose invoices reach BNG once", async () => {
  const year = new Date(Date.now() - 86_400_000).getUTCFullYear();
  h = await startSeedEngine(['bng-m3'], {
    fastPolls: true,
    edit: {
      'm3-invoices-to-bng.yaml': (yaml) =>
        yaml.replace(/initial_cursor: "\d+"/, `initial_cursor: "${year - 1}000000000"`),
    },
  });
  const { m3, bng } = h.systems;
  // The order M3's seed confirmed (1000000), invoiced again now: an invoice of this year.
  const invoice = invoiceCustomerOrder(m3.state, '1000000', { vatRate: 0.1 });
  const number = `${String(invoice.YEA4)}-${String(invoice.IVNO)}`;
  const invoices = () => bng.collections.get('invoices') ?? new Map<string, Record<string, unknown>>();
  await waitFor(() => invoices().has(number), `invoice ${number} in BNG`);
  await expectDrained(h.nats.url);
  expect(invoices().get(number)).toMatchObject({
    invoice_number: number,
    order_id: 'SEED',
    m3_customer_number: '10042',
    m3_order_numbers: ['1000000'],
  });
  // Every poll asked this year (from its first number, then from the last invoice), never the cursor's old year.
  const asked = m3.requests
    .filter((r) => r.path.endsWith('OIS350MI/LstInvHead'))
    .map((r) => r.query.YEA4)
    .filter((y, i, all) => all.indexOf(y) === i);
  expect(asked).toEqual([String(year)]);
  expect(bng.requests.filter((r) => r.method === 'PUT' && r.path === `/invoices/${number}`)).toHaveLength(1);
});
