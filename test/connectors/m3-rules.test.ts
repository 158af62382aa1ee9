/**
 * Infor M3 as M3 behaves, against the emulator through the real client: the catalog's checks (unknown transaction,
 * mandatory, numeric, date and length), message ids (…02 must be entered, …03 does not exist, …04 already exists),
 * transient contention retried, the batch order, PO batch entry and GL interface life cycles, and the bulk call.
 * docs/connectors.md cites the vendor source of each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startM3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import { M3_CATALOG } from '../../connectors/infor_m3/catalog/m3-catalog.js';
import { classifyM3Error } from '../../connectors/infor_m3/errors.js';
import type { M3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { ConnectionClient } from '../../engine/http/connection-client.js';
import { connectionTo, emulatorSecurity, registry, rejection } from './connector-fixtures.js';
import { inforM3 } from './fixtures/index.js';

let m3: M3Emulator | undefined;
let client: ConnectionClient | undefined;
afterEach(async () => {
  await client?.close();
  await m3?.stop();
  m3 = client = undefined;
});

async function start(): Promise<{ m3: M3Emulator; call: (op: string, body: object) => Promise<unknown> }> {
  m3 = await startM3Emulator();
  client = createConnectionClient({
    connection: connectionTo(inforM3, m3.url),
    connector: registry.get('infor_m3')!,
    env: inforM3.env,
    security: emulatorSecurity(m3.url),
  });
  const c = client;
  return { m3, call: async (op, body) => (await c.call(op, { params: {}, body })).result };
}

describe('infor_m3 as M3 behaves', () => {
  it('refuses a transaction M3 does not have with HTTP 400 and the error at the top level', async () => {
    const { m3 } = await start();
    const response = await fetch(`${m3.url}/m3api-rest/v2/execute/OIS100MI/AddHead?CUNO=10042`, {
      headers: { authorization: `Basic ${Buffer.from('M3SRVADM:m3-emulator-password').toString('base64')}` },
    });
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 400,
      body: {
        errorMessage: 'Transaction AddHead does not exist in program OIS100MI',
        errorType: 'TransactionNotFound',
      },
    });
  });

  it('reads a top-level error given as terminationReason and terminationErrorType, as m3-odin does; not as a missing record', () => {
    const error = classifyM3Error({
      status: 400,
      headers: {},
      body: { terminationReason: 'Transaction GetHead does not exist', terminationErrorType: 'TransactionNotFound' },
    });
    expect({ code: error.code, message: error.message, vendorCode: error.vendorCode, status: error.status }).toEqual({
      code: 'validation',
      message: 'M3: Transaction GetHead does not exist (TransactionNotFound)',
      vendorCode: 'TransactionNotFound',
      status: 400,
    });
  });

  it('answers the M3 message ids: …02 must be entered, …03 does not exist, …04 already exists', async () => {
    const { call } = await start();
    expect(await rejection(call('OIS100MI/AddBatchHead', { ORTP: 'A01' }))).toEqual({
      code: 'validation',
      disposition: 'permanent',
      status: 200,
      vendorCode: 'WCU0202',
      field: 'CUNO',
      message: 'OIS100MI/AddBatchHead: Customer must be entered',
    });
    // CRS610MI/Add's mandatory CUA1: no public source names its id, so the NOK carries the text only.
    expect(await rejection(call('CRS610MI/Add', { CUNO: 'B1', CUNM: 'Bo', CUTM: 'TEMPLATE' }))).toMatchObject({
      code: 'validation',
      vendorCode: undefined,
      field: 'CUA1',
      message: 'CRS610MI/Add: Customer address 1 must be entered',
    });
    expect(await rejection(call('OIS100MI/AddBatchLine', { ORNO: '5000000', ITNO: 'NOPE' }))).toMatchObject({
      code: 'not-found',
      vendorCode: 'WIT0103',
      field: 'ITNO',
      message: 'OIS100MI/AddBatchLine: Item number NOPE does not exist',
    });
    const customer = { CUNO: '10042', CUNM: 'Ada', CUA1: 'x', CUTM: 'TEMPLATE' };
    expect(await rejection(call('CRS610MI/Add', customer))).toMatchObject({
      code: 'duplicate',
      disposition: 'permanent',
      vendorCode: 'XRE0104',
      message: 'CRS610MI/Add: Record already exists',
    });
  });

  it('refuses an item and a supplier without any field the metadata makes mandatory, naming the field', async () => {
    const { m3, call } = await start();
    // M3H5 MMS200MIResource.cs AddItmBasic and CRS620MIResource.cs AddSupplier: the parameters marked (Required).
    const mandatory = {
      'MMS200MI/AddItmBasic': ['STAT', 'ITNO', 'ITDS', 'RESP', 'UNMS', 'ITTY', 'MABU', 'PRVG'],
      'CRS620MI/AddSupplier': [
        'SUNO',
        'SUNM',
        'SUTY',
        'CSCD',
        'ECAR',
        'LNCD',
        'DTFM',
        'MEPF',
        'SUCL',
        'QUCL',
        'ORTY',
        'TEDL',
        'MODL',
        'TEAF',
        'TEPA',
        'DT4T',
        'DTCD',
        'CUCD',
        'CRTP',
        'TEPY',
        'PYME',
        'ATPR',
        'ACRF',
      ],
    };
    for (const [transaction, fields] of Object.entries(mandatory)) {
      const inputs = M3_CATALOG[transaction].inputs;
      expect(inputs.filter(([, , , required]) => required).map(([name]) => name)).toEqual(fields);
      // A value that fits each field: a digit where it is numeric, a letter otherwise.
      const full = Object.fromEntries(fields.map((f) => [f, inputs.find(([n]) => n === f)![1] === 'N' ? '1' : 'Z']));
      for (const field of fields) {
        const { [field]: _left, ...body } = full;
        expect(await rejection(call(transaction, body)), `${transaction} without ${field}`).toMatchObject({
          code: 'validation',
          disposition: 'permanent',
          status: 200,
          field,
          message: expect.stringMatching(new RegExp(`^${transaction}: .+ must be entered$`)),
        });
      }
      expect(await call(transaction, full)).toEqual({});
    }
    expect([m3.state.tables.item.has('Z'), m3.state.tables.supplier.has('Z')]).toEqual([true, true]);
  });

  it('checks numbers, dates and lengths as the metadata types them', async () => {
    const { call } = await start();
    expect(await rejection(call('PPS370MI/AddLine', { MSGN: '700000000', ITNO: 'MUG-1', ORQA: 'ten' }))).toMatchObject({
      code: 'validation',
      vendorCode: 'XNU0000',
      field: 'ORQA',
      message: 'PPS370MI/AddLine: Numeric error',
    });
    expect(await rejection(call('OIS100MI/AddBatchHead', { CUNO: '10042', RLDT: '2026-12-01' }))).toMatchObject({
      vendorCode: 'XDT0001',
      field: 'RLDT',
    });
    // Longer than the field: refused before the program runs (HTTP 400), unverified against a live tenant.
    expect(await rejection(call('OIS100MI/AddBatchHead', { CUNO: '10042', CUOR: 'X'.repeat(21) }))).toEqual({
      code: 'validation',
      disposition: 'permanent',
      status: 400,
      vendorCode: 'InputFieldTooLong',
      field: 'CUOR',
      message: 'M3: Input field CUOR is longer than 20 (InputFieldTooLong)',
    });
    expect(await rejection(call('CRS610MI/GetBasicData', { CUNO: '10042', CUCD: 'USD' }))).toMatchObject({
      code: 'validation',
      field: 'CUCD',
      message: 'CRS610MI/GetBasicData: Field CUCD is not an input field of CRS610MI/GetBasicData',
    });
  });

  it('answers contention as M3 does, and the connector retries it: changed by another user, a lock timing out', async () => {
    const { m3, call } = await start();
    m3.contend({ code: 'XUP0001', transaction: 'CRS610MI/ChgBasicData', times: 1 });
    expect(await rejection(call('CRS610MI/ChgBasicData', { CUNO: '10042', TOWN: 'Oakland' }))).toMatchObject({
      code: 'record-changed',
      disposition: 'retryable',
      vendorCode: 'XUP0001',
      message: 'CRS610MI/ChgBasicData: The record has been changed by user M3BATCH',
    });
    expect(await call('CRS610MI/ChgBasicData', { CUNO: '10042', TOWN: 'Oakland' })).toEqual({ CUNO: '10042' });
    m3.lock('customer', '10042');
    expect(await rejection(call('CRS610MI/ChgBasicData', { CUNO: '10042', TOWN: 'Berkeley' }))).toMatchObject({
      code: 'record-locked',
      disposition: 'retryable',
      vendorCode: 'XO_1130',
      message: 'CRS610MI/ChgBasicData: Please try again later',
    });
    expect(m3.state.tables.customer.get('10042')?.TOWN).toBe('Oakland');
  });

  it('enters a customer order as a batch: a temporary number, its lines, then the final number on Confirm', async () => {
    const { m3, call } = await start();
    const head = (await call('OIS100MI/AddBatchHead', { CUNO: '10042', CUOR: '9001', WHLO: '200' })) as {
      ORNO: string;
    };
    await call('OIS100MI/AddBatchLine', { ORNO: head.ORNO, ITNO: 'MUG-1', ORQT: 2, CUPO: 1 });
    await call('OIS100MI/AddBatchLine', { ORNO: head.ORNO, ITNO: 'CAP-1', ORQT: 1, CUPO: 2 });
    expect(m3.state.tables.order_head.size).toBe(1); // the seeded order only: a batch order is not an order yet
    const confirmed = await call('OIS100MI/Confirm', { ORNO: head.ORNO });
    expect({ head, confirmed }).toEqual({ head: { ORNO: '5000001' }, confirmed: { ORNO: '1000001', STAT: '90' } });
    expect(await call('OIS100MI/GetOrderNo', { ORNO: head.ORNO })).toEqual({ ORNR: '1000001' });
    const orders = (await call('OIS100MI/LstHead', { CUNO: '10042' })) as { records: { ORNO: string; CUOR: string }[] };
    expect(orders.records.map((o) => [o.ORNO, o.CUOR])).toEqual([
      ['1000000', 'SEED'],
      ['1000001', '9001'],
    ]);
    expect([...m3.state.tables.order_line.keys()]).toEqual(['1000000/1', '1000001/1', '1000001/2']);
    expect(await rejection(call('OIS100MI/AddBatchLine', { ORNO: head.ORNO, ITNO: 'MUG-1' }))).toMatchObject({
      vendorCode: 'XST0020',
      message: 'OIS100MI/AddBatchLine: Status change are not permitted any longer',
    });
  });

  it('enters a purchase order through PPS370MI: only an open entry (status 10) takes heads, lines and the finish', async () => {
    const { m3, call } = await start();
    const { MSGN } = (await call('PPS370MI/StartEntry', { BAOR: 'BNG' })) as { MSGN: string };
    const head = { MSGN, FACI: 'A01', WHLO: '100', SUNO: 'V000012', DWDT: '20261202', YRE1: 'BNG PO 301' };
    expect(await call('PPS370MI/AddHead', head)).toEqual({ PUNO: '2000001' });
    expect(await call('PPS370MI/AddLine', { MSGN, ITNO: 'MUG-1', ORQA: 100, PNLI: 10 })).toEqual({
      PUNO: '2000001',
      PNLI: '10',
    });
    expect(m3.state.tables.purchase_order.has('2000001')).toBe(false);
    await call('PPS370MI/FinishEntry', { MSGN });
    expect(m3.state.tables.purchase_order.get('2000001')).toMatchObject({
      SUNO: 'V000012',
      YRE1: 'BNG PO 301',
      PUSL: '20',
    });
    expect(await rejection(call('PPS370MI/FinishEntry', { MSGN }))).toMatchObject({ vendorCode: 'XST0020' });
    expect(await rejection(call('PPS370MI/AddHead', { ...head, FACI: 'B02' }))).toMatchObject({
      vendorCode: 'XST0020',
    });
  });

  it('deletes an open PO entry whole with DeleteEntry (status 10 only), and has no transaction that reads one', async () => {
    const { m3, call } = await start();
    const { MSGN } = (await call('PPS370MI/StartEntry', { BAOR: 'BNG' })) as { MSGN: string };
    const head = { MSGN, FACI: 'A01', WHLO: '100', SUNO: 'V000012', DWDT: '20261202', YRE1: 'BNG PO 305' };
    await call('PPS370MI/AddHead', head);
    await call('PPS370MI/AddLine', { MSGN, ITNO: 'MUG-1', ORQA: 5 });
    await call('PPS370MI/DeleteEntry', { MSGN });
    const left = (table: 'po_entry' | 'po_entry_head' | 'po_entry_line') =>
      [...m3.state.tables[table].values()].filter((r) => r.MSGN === MSGN);
    expect([left('po_entry'), left('po_entry_head'), left('po_entry_line')]).toEqual([[], [], []]);
    expect(await rejection(call('PPS370MI/DeleteEntry', { MSGN }))).toMatchObject({
      code: 'not-found',
      vendorCode: 'WMS3703',
      field: 'MSGN',
    });
    // A finished entry (status 90) is M3's to delete in PPS370, not MI's.
    const finished = (await call('PPS370MI/StartEntry', { BAOR: 'BNG' })) as { MSGN: string };
    await call('PPS370MI/AddHead', { ...head, MSGN: finished.MSGN });
    await call('PPS370MI/FinishEntry', finished);
    expect(await rejection(call('PPS370MI/DeleteEntry', finished))).toMatchObject({ vendorCode: 'XST0020' });
    // PPS370MI's nine transactions (M3H5) add, finish or delete; none reads an entry, so none is in the catalog.
    for (const read of ['GetHead', 'LstHead', 'LstLine'])
      expect(await rejection(call(`PPS370MI/${read}`, { MSGN }))).toMatchObject({ code: 'unknown-operation' });
  });

  it('posts a GL interface batch as one voucher only when balanced, and consumes the batch', async () => {
    const { m3, call } = await start();
    const parm = (account: string, amount: string) => `I120261121${account.padEnd(8)}${amount.padStart(17)}USDPayment`;
    await call('GLS840MI/AddBatchHead', { KEY1: 'P9', INTN: 'JUNCTION', DESC: 'Payment 9' });
    await call('GLS840MI/AddBatchLine', { KEY1: 'P9', LINE: 1, PARM: parm('1930', '25.00') });
    expect(await rejection(call('GLS840MI/CtrlBatch', { KEY1: 'P9' }))).toMatchObject({
      code: 'validation',
      message: 'GLS840MI/CtrlBatch: Batch P9 is not balanced: debits and credits differ by 25.00',
    });
    await call('GLS840MI/AddBatchLine', { KEY1: 'P9', LINE: 2, PARM: parm('1510', '-25.00') });
    expect(
      await rejection(call('GLS840MI/AddBatchLine', { KEY1: 'P9', LINE: 2, PARM: parm('1510', '-1.00') })),
    ).toMatchObject({
      code: 'duplicate',
      vendorCode: 'XRE0104',
    });
    await call('GLS840MI/UpdBatch', { KEY1: 'P9' });
    const vouchers = [...m3.state.tables.gl_voucher.values()].filter((v) => v.KEY1 === 'P9');
    expect(vouchers).toEqual([expect.objectContaining({ VONO: '501', DSUM: '25.00', CSUM: '-25.00' })]);
    expect(await rejection(call('GLS840MI/UpdBatch', { KEY1: 'P9' }))).toMatchObject({
      code: 'not-found',
      vendorCode: 'XRE0103',
    });
  });

  it('answers a bulk execute with one result per transaction and stops at the first NOK', async () => {
    const { m3 } = await start();
    const response = await fetch(`${m3.url}/m3api-rest/v2/execute`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from('M3SRVADM:m3-emulator-password').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        program: 'CRS610MI',
        cono: 100,
        transactions: [
          { transaction: 'GetBasicData', record: { CUNO: '10042' } },
          { transaction: 'GetBasicData', record: { CUNO: 'NOPE' } },
          { transaction: 'GetBasicData', record: { CUNO: 'TEMPLATE' } },
        ],
      }),
    });
    const body = (await response.json()) as {
      results: { transaction: string; errorMessage?: string; errorCode?: string }[];
      wasTerminated: boolean;
      nrOfSuccessfullTransactions: number;
      nrOfFailedTransactions: number;
    };
    expect({
      ...body,
      results: body.results.map((r) => [r.transaction, r.errorCode, r.errorMessage?.trimEnd()]),
    }).toEqual({
      results: [
        ['GetBasicData', undefined, undefined],
        ['GetBasicData', 'WCU0203', 'Customer number NOPE does not exist'],
      ],
      wasTerminated: true,
      nrOfSuccessfullTransactions: 1,
      nrOfFailedTransactions: 1,
    });
  });

  it('refuses a wrong service account on the password grant as invalid_grant', async () => {
    const { m3 } = await start();
    const response = await fetch(`${m3.url}/as/token.oauth2`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'm3-emulator-client',
        client_secret: 'm3-emulator-secret',
        username: 'EMULATOR_TST#service-account-key',
        password: 'wrong',
      }).toString(),
    });
    expect({ status: response.status, body: await response.json() }).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid service account' },
    });
  });
});
