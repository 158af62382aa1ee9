/**
 * `npm run demo -- --for N` as a new user runs it: a child process with the embedded nats-server, the emulators and a
 * local spec repository. Its last line is the JSON summary, checked by the demo against the emulators' records.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { JUNCTION_ARGS } from '../cli/run-cli.js';
import { DEMO_TIMELINE, deadLetterList, endSummary, timelineSteps } from './demo-output.js';

const run = promisify(execFile);

it('runs the whole loop for 15 s (M3 included) and ends with nothing lost or duplicated, the dead letter replayed', async () => {
  const { stdout } = await run(process.execPath, [...JUNCTION_ARGS, 'demo', '--for', '15', '--port', '0'], {
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split('\n');
  const summary = endSummary(lines);
  // On a mismatch, the demo's own list of its dead letters says which and why.
  expect(summary, deadLetterList(lines)).toMatchObject({ lost: 0, duplicates: 0, dead_lettered: 1, replayed: 1 });
  // How many events fit in 15 s depends on the machine; that every one arrived, and every flow ran (below), does not.
  expect(summary.events).toBeGreaterThan(0);
  expect(summary.delivered).toBe(summary.events);
  // Every part of the timeline happened, in order.
  expect(timelineSteps(lines)).toEqual(DEMO_TIMELINE);
  expect(stdout).toMatch(/commit [0-9a-f]{10} is live \d+ ms after the commit/);
  // The invoice-to-quote-to-payment loop ran: its integrations delivered events.
  expect(stdout).toMatch(/ff-open-invoices-to-magento-quotes +in +\d+ +delivered +[1-9]/);
  expect(stdout).toMatch(/magento-invoice-payments-to-ff-cash-entries +in +\d+ +delivered +[1-9]/);
  // The ERP flows: new products reached Magento, refunds reached FF, FF accounts became Magento customers.
  expect(stdout).toMatch(/catalog: [1-9]\d* new ERP products created in Magento, e\.g\. DEMO-1 "Demo product 1" at 11/);
  expect(stdout).toMatch(
    /refunds: [1-9]\d* Magento credit memos credited in FinancialForce, e\.g\. SCR\d{6} for credit memo \d+/,
  );
  expect(stdout).toMatch(
    /customers: [1-9]\d* FinancialForce accounts created as Magento customers, e\.g\. buyer\d+@business\.example/,
  );
  // Money both ways: orders paid on account were billed in FF, paid there, and FF's payment invoiced them in Magento.
  expect(stdout).toMatch(/ff-invoice-payments-to-magento-orders +in +\d+ +delivered +[1-9]/);
  expect(stdout).toMatch(
    /payments: [1-9]\d* orders paid on account and paid in FinancialForce invoiced in Magento, e\.g\. order \d+ paid by SIN\d{6}, now complete/,
  );
  // BNG -> M3 ran too, and its records count in lost and duplicates.
  expect(stdout).toMatch(/bng-orders-to-m3 +in +\d+ +delivered +[1-9]/);
  expect(stdout).toMatch(/bng-payments-to-m3-gl +in +\d+ +delivered +[1-9]/);
  expect(stdout).toMatch(/bng-credit-memos-to-m3-ar +in +\d+ +delivered +[1-9]/);
}, 150_000);
