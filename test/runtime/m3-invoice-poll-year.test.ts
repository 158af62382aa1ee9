/**
 * The m3-invoices-to-bng poll across a year end. OIS350MI/LstInvHead lists one year (YEA4) from an invoice number on,
 * so the poll's input comes from its cursor (year + invoice number) and the date: the seed spec's source body,
 * compiled and evaluated as the schedule poller evaluates it, with the system clock set on either side of New Year.
 */
import { afterAll, beforeAll, afterEach, expect, it, vi } from 'vitest';
import { join } from 'node:path';
import { compiledSpecSet, createWiring } from '../../engine/cli/wiring.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import { evaluate } from '../../engine/execute/evaluate-expression.js';
import { eventlessScope } from '../../engine/execute/read-source.js';
import { DEFAULT_GUARDS } from '../../engine/transform/compiled/evaluate.js';

let specSet: CompiledSpecSet;
beforeAll(async () => {
  specSet = await compiledSpecSet(createWiring({ env: {} }), join(import.meta.dirname, '../../specs/bng-m3'));
});
afterEach(() => vi.useRealTimers());
afterAll(() => vi.useRealTimers());

/** The LstInvHead input the poll sends at `now` with the stored `cursor`. */
async function pollInput(cursor: string, now: string) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(now));
  const source = specSet.integrations.get('m3-invoices-to-bng')!.source;
  if (source.kind !== 'schedule' || !source.body) throw new Error('m3-invoices-to-bng polls with a body');
  const scope = eventlessScope({ lookups: specSet.lookups, xref: { get: () => undefined } as never });
  return evaluate(scope, DEFAULT_GUARDS, source.body, {}, { cursor });
}

it("polls the cursor year from the last invoice while that year lasts, and on New Year's day", async () => {
  expect(await pollInput('2026000100042', '2026-12-31T23:59:00Z')).toEqual({ YEA4: '2026', IVNO: 100042 });
  // The old year's last invoices (made on 31 December, listed in the first hours of January) are still read.
  expect(await pollInput('2026000100042', '2027-01-01T18:00:00Z')).toEqual({ YEA4: '2026', IVNO: 100042 });
});

it('moves to the new year from its first invoice number once the old year has been over for a day', async () => {
  expect(await pollInput('2026000100042', '2027-01-02T00:00:01Z')).toEqual({ YEA4: '2027', IVNO: 0 });
  // A new-year invoice listed: the cursor is in the current year, and the poll goes on from it.
  expect(await pollInput('2027000000007', '2027-01-02T00:01:00Z')).toEqual({ YEA4: '2027', IVNO: 7 });
  // A cursor left years behind (the engine stopped a long time) goes straight to the current year.
  expect(await pollInput('2024000000900', '2027-03-01T00:00:00Z')).toEqual({ YEA4: '2027', IVNO: 0 });
});
