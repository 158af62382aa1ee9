/**
 * The recorded M3 exchanges of the BNG <-> M3 spec tests (specs/bng-m3/*.test.yaml), replayed against the M3 emulator.
 * Each case runs as `junction test` runs it (a dry run on its recorded responses); every call it sends to M3 is then
 * sent, in the same order, to a fresh emulator that holds what the case's story says M3 holds (`GIVEN`: made with MI
 * transactions, and a lost answer's call landing just before the call that looks for it), and the emulator's answer
 * must be the recorded one: the transaction, every record in the transaction's output layout with the same values,
 * the same NOK (message id, field and text; M3 pads the text, so trailing blanks are not compared). The records the
 * M3 -> BNG flows poll are checked against the polled transaction's output layout. So the fixtures the PR dry run
 * trusts, the emulator the e2e tests run against and M3's metadata (the catalog) cannot drift apart again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { compileDirectory, createWiring } from '../../engine/cli/wiring.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import { dryRun } from '../../engine/plan/dry-run.js';
import { loadCases } from '../../engine/plan/spec-tests/load-cases.js';
import type { LoadedCase } from '../../engine/plan/spec-tests/load-cases.js';
import type { RecordedResponse } from '../../engine/plan/fixture-transport.js';
import { M3_EMULATOR_USER, startM3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import type { M3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import { invoiceCustomerOrder } from '../../connectors/infor_m3/emulator/customer-invoices.js';
import { M3_TRANSACTIONS } from '../../connectors/infor_m3/schemas/index.js';
import type { M3Output } from '../../connectors/infor_m3/catalog/catalog-types.js';

interface PolledSpec {
  source: { schedule: { operation: string } };
}

/** Why a polled value cannot be in the output field (M3 sends text: blank, or digits for N, YYYYMMDD for D). */
function misfit([, type, length]: M3Output, value: unknown): string | undefined {
  if (typeof value !== 'string') return 'is not text, as M3 sends every field';
  if (value === '') return undefined;
  if (type === 'N' && !/^-?\d+(\.\d+)?$/.test(value)) return 'is not a number (N)';
  if (type === 'D' && !/^\d{8}$/.test(value)) return 'is not a date YYYYMMDD (D)';
  const size = type === 'N' ? value.replace('-', '').split('.')[0].length : value.length;
  return length !== null && type !== 'D' && size > length ? `is longer than ${length}` : undefined;
}

const SPECS = fileURLToPath(new URL('../../specs/bng-m3', import.meta.url));
const MI = '/m3api-rest/v2/execute';
const AUTH = 'Basic ' + Buffer.from(`${M3_EMULATOR_USER.username}:${M3_EMULATOR_USER.password}`).toString('base64');

let m3: M3Emulator;
let cases: LoadedCase[];
let specSet: CompiledSpecSet;
const wiring = createWiring({ env: {} });

beforeAll(async () => {
  m3 = await startM3Emulator();
  const { result, tree } = await compileDirectory(wiring, SPECS);
  specSet = result.specSet!;
  cases = loadCases(result, tree);
});
afterAll(async () => m3?.stop());

async function send(method: string, path: string): Promise<RecordedResponse> {
  const response = await fetch(m3.url + path, { method, headers: { authorization: AUTH } });
  return { status: response.status, body: await response.json() };
}

/** Runs a transaction in the emulator as part of a case's story; it must succeed. */
async function run(transaction: string, fields: Record<string, string>): Promise<Record<string, string>[]> {
  const { body } = await send('GET', `${MI}/${transaction}?${new URLSearchParams({ CONO: '100', ...fields })}`);
  const [result] = (body as { results: { records: Record<string, string>[]; errorMessage?: string }[] }).results;
  if (result.errorMessage) throw new Error(`given ${transaction}: ${result.errorMessage.trim()}`);
  return result.records;
}

/** What M3 holds for a case: `before` the event, and `during` it, just before a call (`step` or `step[index]`). */
interface Given {
  before?: () => Promise<void>;
  during?: Record<string, () => Promise<void>>;
}

const customer = (CUNO: string, fields: Record<string, string> = {}) =>
  run('CRS610MI/Add', { DIVI: 'AAA', CUTM: 'TEMPLATE', CUNO, CUNM: 'Ann Lee', CUA1: '5 Elm St', ...fields });
/** A record's registration and change dates, as the day it was added (the emulator stamps today). */
const dated = (table: 'customer', key: string, day: string) =>
  Object.assign(m3.state.tables[table].get(key)!, { RGDT: day, LMDT: day });
const bngOrder = { CUNO: 'B00000501', ORTP: 'A01', WHLO: '200', ORDT: '20261120', RLDT: '20261123', CUOR: '9001' };
const orderHead = () => run('OIS100MI/AddBatchHead', { ...bngOrder, YREF: 'PO-77', CUCD: 'USD' });
const orderLine = (ITNO: string, ORQT: string, SAPR: string, CUPO: string) =>
  run('OIS100MI/AddBatchLine', { ORNO: '5000001', ITNO, ORQT, WHLO: '200', SAPR, CUPO });
const glBatch = (KEY1: string, DESC: string) =>
  run('GLS840MI/AddBatchHead', { DIVI: 'AAA', KEY1, INTN: 'JUNCTION', DESC });
const poEntry = async () => {
  const [{ MSGN }] = await run('PPS370MI/StartEntry', { BAOR: 'BNG' });
  return MSGN;
};
const supplierInvoice = () =>
  run('APS450MI/AddHead', {
    DIVI: 'AAA',
    SUNO: 'V000012',
    SPYN: 'V000012',
    SINO: 'INV-5531',
    IVDT: '20261120',
    CUAM: '745',
    VTAM: '0',
    CUCD: 'USD',
    PUNO: '2000001',
  });

/** Each case's M3, by `<file> / <case name>`; a case not listed starts from the emulator's seed. */
const GIVEN: Record<string, Given> = {
  'bng-customers-to-m3 / a later change of a customer M3 has is found and updated, never added twice': {
    before: async () => {
      await customer('B00000501', { TOWN: 'Boston', PONO: '02108', CSCD: 'US', PHNO: '+1 555 0101' });
      await run('CRS610MI/ChgBasicData', { DIVI: 'AAA', CUNO: 'B00000501', MAIL: 'ann@example.com' });
      dated('customer', 'B00000501', '20261204');
    },
  },
  'bng-customers-to-m3 / a customer added by someone else between the look-up and the add (…04) is there; the event goes on':
    { during: { add: async () => void (await customer('B00000502', { CUNM: 'Bo Ek' })) } },
  'bng-customers-to-m3 / every address of the customer becomes an M3 customer address, and one M3 has is changed, not added twice':
    {
      before: async () => {
        await customer('B00000503', { CUNM: 'Grace Hopper', CUA1: '7 Harbor Rd', TOWN: 'Arlington', PONO: '22201' });
        await run('CRS610MI/ChgBasicData', { DIVI: 'AAA', CUNO: 'B00000503', CSCD: 'US', PHNO: '+1 555 0100' });
        await run('CRS610MI/ChgBasicData', { DIVI: 'AAA', CUNO: 'B00000503', MAIL: 'grace@example.com' });
        dated('customer', 'B00000503', '20261201');
        await run('CRS610MI/AddAddress', {
          DIVI: 'AAA',
          CUNO: 'B00000503',
          ADRT: '3',
          ADID: '7002',
          CUNM: 'Grace Hopper',
          CUA1: '7 Harbor Rd',
          TOWN: 'Arlington',
          PONO: '22201',
          CSCD: 'US',
        });
      },
    },
  'bng-orders-to-m3 / a paid order becomes a batch order, its lines, then the confirmed customer order whose number is kept':
    { before: async () => void (await customer('B00000501')) },
  'bng-orders-to-m3 / a later event of an order M3 already has creates nothing': {
    before: async () => {
      await customer('B00000501');
      await orderHead();
      await orderLine('MUG-1', '2', '12.5', '1');
      await run('OIS100MI/Confirm', { ORNO: '5000001' });
    },
  },
  "bng-orders-to-m3 / an AddBatchHead whose answer was lost is found among the customer's batch orders by CUOR, and not sent again":
    {
      before: async () => void (await customer('B00000501')),
      during: { 'head.find': async () => void (await orderHead()) },
    },
  "bng-orders-to-m3 / a line whose answer was lost is found by the customer's line number (CUPO), and not added twice":
    {
      before: async () => void (await customer('B00000501')),
      during: { 'lines.find[1]': async () => void (await orderLine('CAP-1', '1', '18', '2')) },
    },
  "bng-orders-to-m3 / a confirmation whose answer was lost is found in the customer's orders by CUOR; its final number is kept":
    {
      before: async () => void (await customer('B00000501')),
      during: { 'confirm.find': async () => void (await run('OIS100MI/Confirm', { ORNO: '5000001' })) },
    },
  'bng-orders-to-m3 / M3 busy with the record (XUP0001 changed by another user) is retried, not dead-lettered': {
    before: async () => {
      await customer('B00000501');
      m3.contend({ code: 'XUP0001', transaction: 'OIS100MI/AddBatchHead', times: 1 });
    },
  },
  'bng-payments-to-m3-gl / a batch line that M3 already has after a lost answer (…04) counts as added, and the posting goes on':
    {
      during: {
        'lines[0]': async () =>
          void (await run('GLS840MI/AddBatchLine', {
            DIVI: 'AAA',
            KEY1: 'P000009901',
            LINE: '1',
            PARM: 'I1202611211930                49.99USDPayment 9901                            ',
          })),
      },
    },
  'bng-payments-to-m3-gl / an update that finds no batch on its first send (…03, deleted in GLS840) is a dead letter, never taken as posted':
    {
      // Deleted in GLS840 (no MI transaction deletes a batch).
      during: { post: async () => void m3.state.tables.gl_batch.delete('P000009901') },
    },
  "bng-credit-memos-to-m3-ar / a batch M3 already has after a lost answer (…04) is this integration's own, so it is checked and posted":
    { before: async () => void (await glBatch('C000007703', 'BNG credit memo 7703 order 9101')) },
  'bng-purchase-orders-to-m3 / a head sent into the entry without an answer is not sent into it again; the entry is deleted and the retry starts a new one':
    { before: async () => void (await poEntry()) },
  'bng-purchase-orders-to-m3 / an entry M3 no longer has (deleted by hand in PPS370) does not stop the restart': {
    before: async () => {
      // Two entries of other POs before this one.
      for (const _ of [1, 2]) {
        const MSGN = await poEntry();
        await run('PPS370MI/AddHead', {
          MSGN,
          SUNO: 'V000012',
          WHLO: '100',
          FACI: 'A01',
          ORTY: 'P10',
          DWDT: '20261202',
        });
        await run('PPS370MI/DeleteEntry', { MSGN });
      }
    },
    during: { 'entry.abandon': async () => void (await run('PPS370MI/DeleteEntry', { MSGN: '700000003' })) },
  },
  'bng-purchase-orders-to-m3 / a FinishEntry whose answer was lost is found by its PO number, and the PO number is kept':
    {
      during: { 'finish.find': async () => void (await run('PPS370MI/FinishEntry', { MSGN: '700000001' })) },
    },
  'bng-supplier-invoices-to-m3 / an invoice M3 already has (…04) is done': {
    before: async () => void (await supplierInvoice()),
  },
  "bng-supplier-invoices-to-m3 / an AddHead whose answer was lost is found by the supplier's invoice number, and its lines go to that batch":
    { during: { 'head.find': async () => void (await supplierInvoice()) } },
  'm3-customers-to-bng / a customer M3 created becomes a BNG customer, linked for its orders, with its account data': {
    before: async () => {
      const address = { DIVI: 'AAA', CUNO: '10042', CUNM: 'Ada Lovelace', TOWN: 'San Francisco', CSCD: 'US' };
      await run('CRS610MI/AddAddress', {
        ...address,
        ADRT: '3',
        ADID: 'HQ',
        CUA1: '1 Analytical Way',
        CUA2: 'Floor 2',
        PONO: '94105',
        PHNO: '+1 555 0142',
      });
      await run('CRS610MI/AddAddress', { ...address, ADRT: '4', ADID: 'PAY', CUA1: 'PO Box 42', PONO: '94106' });
    },
  },
  "m3-invoices-to-bng / a polled invoice head, its lines and its order's BNG reference give BNG the invoice": {
    before: async () => {
      await customer('B00000601', { CUNM: 'Grace Hopper', CUA1: '7 Harbor Rd' });
      await run('OIS100MI/AddBatchHead', { ...bngOrder, CUNO: 'B00000601', ORDT: '20261201', CUOR: '9101' });
      await run('OIS100MI/AddBatchLine', { ORNO: '5000001', ITNO: 'MUG-1', ORQT: '2', WHLO: '200', SAPR: '21.5' });
      await run('OIS100MI/Confirm', { ORNO: '5000001' });
      // OIS180 has no MI transaction: the emulator's stand-in invoices the order.
      invoiceCustomerOrder(m3.state, '1000001', { date: new Date('2026-12-02T12:00:00Z'), vatRate: 0.08 });
    },
  },
};

/** A recorded or emulated answer, with M3's padded message texts trimmed. */
function comparable(response: RecordedResponse): RecordedResponse {
  const body = response.body as { results?: { errorMessage?: string }[] } | undefined;
  if (!body?.results) return response;
  return {
    status: response.status,
    body: {
      ...body,
      results: body.results.map((r) =>
        r.errorMessage === undefined ? r : { ...r, errorMessage: r.errorMessage.trimEnd() },
      ),
    },
  };
}

/** What differs between the recorded and the emulated answer, field by field; undefined when nothing does. */
function differenceOf(recorded: RecordedResponse, emulated: RecordedResponse): string | undefined {
  if (JSON.stringify(sorted(recorded)) === JSON.stringify(sorted(emulated))) return undefined;
  type Result = { records?: Record<string, string>[] } & Record<string, unknown>;
  const results = (r: RecordedResponse) => ((r.body as { results?: Result[] })?.results ?? []) as Result[];
  const [a, b] = [results(recorded), results(emulated)];
  const lines: string[] = [];
  if (recorded.status !== emulated.status) lines.push(`status ${recorded.status}, emulator ${emulated.status}`);
  for (const [i, r] of a.entries()) {
    const e = b[i] ?? {};
    for (const key of new Set([...Object.keys(r), ...Object.keys(e)]))
      if (key !== 'records' && JSON.stringify(r[key]) !== JSON.stringify(e[key]))
        lines.push(`${key}: recorded ${JSON.stringify(r[key])}, emulator ${JSON.stringify(e[key])}`);
    const [ra, rb] = [r.records ?? [], (e.records ?? []) as Record<string, string>[]];
    if (r.records === undefined) lines.push('recorded result has no records list');
    if (ra.length !== rb.length) lines.push(`records: recorded ${ra.length}, emulator ${rb.length}`);
    for (const [j, record] of ra.entries()) {
      const other = rb[j] ?? {};
      const missing = Object.keys(other).filter((k) => !(k in record));
      const extra = Object.keys(record).filter((k) => !(k in other));
      const unlike = Object.keys(record).filter((k) => k in other && record[k] !== other[k]);
      if (missing.length) lines.push(`record ${j} lacks ${missing.join(',')}`);
      if (extra.length) lines.push(`record ${j} has ${extra.join(',')}, no output of the layout`);
      for (const k of unlike)
        lines.push(`record ${j} ${k}: recorded ${JSON.stringify(record[k])}, emulator ${JSON.stringify(other[k])}`);
    }
  }
  if (lines.length === 0) lines.push(`recorded ${JSON.stringify(recorded)}, emulator ${JSON.stringify(emulated)}`);
  return lines.join('\n  ');
}

/** A JSON value with its object keys in order, so two answers compare by content. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => [k, sorted(v)]),
  );
}

const m3Cases = () => cases.filter((c) => c.input && /^(bng-.*-to-m3|m3-.*-to-bng)/.test(c.integration));
const title = (c: LoadedCase) => `${c.integration} / ${c.name}`;

describe('recorded M3 exchanges of specs/bng-m3 against the M3 emulator', () => {
  it('every recorded M3 answer is what the emulator answers to the same call in the same state', async () => {
    const differences: string[] = [];
    let calls = 0;
    for (const c of m3Cases()) {
      const result = await dryRun(specSet, wiring.connectors, c.input!);
      await fetch(`${m3.url}/__emulator/reset`, { method: 'POST' });
      const given = GIVEN[title(c)] ?? {};
      await given.before?.();
      for (const request of result.requests.filter((r) => r.connection === 'm3')) {
        const at = request.index === undefined ? request.step : `${request.step}[${request.index}]`;
        await (given.during?.[at] ?? given.during?.[request.step])?.();
        const recorded = c.input!.responses?.[request.step];
        const answer = Array.isArray(recorded) ? recorded[request.index ?? 0] : recorded;
        const emulated = await send(request.method, request.path);
        calls++;
        const difference = differenceOf(comparable(answer!), comparable(emulated));
        if (difference) differences.push(`${basename(c.file)} "${c.name}" ${at} ${request.path}\n  ${difference}`);
      }
    }
    expect(differences.join('\n\n')).toBe('');
    // A story for a case that was renamed or removed would set up nothing.
    expect(Object.keys(GIVEN).filter((name) => !m3Cases().some((c) => title(c) === name))).toEqual([]);
    expect(calls).toBeGreaterThan(60);
  });

  it("every record an M3 -> BNG flow polls is in the polled transaction's output layout, each value fitting its field", () => {
    const problems: string[] = [];
    for (const c of m3Cases().filter((c) => c.integration.startsWith('m3-'))) {
      const spec = parse(readFileSync(`${SPECS}/${c.integration}.yaml`, 'utf8')) as PolledSpec;
      const tx = M3_TRANSACTIONS.find((t) => t.name === spec.source.schedule.operation)!;
      const outputs = new Map(tx.outputs.map((output) => [output[0], output]));
      const event = c.input!.event as Record<string, unknown>;
      const lacking = tx.outputs.map(([name]) => name).filter((name) => !(name in event));
      // M3 lists every output field, blank when empty: a record without some would let a transform pass here that
      // sends something else (a blank field) for the real record.
      if (lacking.length > 0) problems.push(`${c.integration} "${c.name}": lacks ${lacking.join(',')} of ${tx.name}`);
      for (const [field, value] of Object.entries(event)) {
        if (field === 'bng_order') continue; // m3-order-status-to-bng adds the linked BNG order to each record
        const output = outputs.get(field);
        const problem = output ? misfit(output, value) : `is no output of ${tx.name}`;
        if (problem) problems.push(`${c.integration} "${c.name}": ${field} ${JSON.stringify(value)} ${problem}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
