/** Behaviour specific to each vendor that the seeds rely on, checked against the emulators through the real client. */
import { afterEach, describe, expect, it } from 'vitest';
import { startM3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import type { M3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { EmulatorServer } from '../../engine/sdk/index.js';
import { connectionTo, emulatorSecurity, registry } from './connector-fixtures.js';
import type { ConnectorFixture } from './connector-fixtures.js';
import { inforM3 } from './fixtures/index.js';

let emulator: EmulatorServer | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

const clientFor = (fixture: ConnectorFixture, url: string) =>
  createConnectionClient({
    connection: connectionTo(fixture, url),
    connector: registry.get(fixture.id)!,
    env: fixture.env,
    security: emulatorSecurity(url),
  });

describe('infor_m3', () => {
  it("passes AddHead's order number to AddLine, and numbers lines per order", async () => {
    const m3 = (emulator = await startM3Emulator()) as M3Emulator;
    const client = clientFor(inforM3, m3.url);
    const head = await client.call('OIS100MI/AddHead', {
      params: {},
      body: { CUNO: '10042', ORTP: 'A01', ORDT: '20261120' },
    });
    const { ORNO } = head.result as { ORNO: string };
    const lines = [];
    for (const ITNO of ['MUG-1', 'MUG-1'])
      lines.push((await client.call('OIS100MI/AddLine', { params: {}, body: { ORNO, ITNO, ORQT: 2 } })).result);
    expect({ ORNO, lines }).toEqual({ ORNO: '1000001', lines: [{ PONR: '1' }, { PONR: '2' }] });
    await expect(
      client.call('OIS100MI/AddLine', { params: {}, body: { ORNO, ITNO: 'MUG-1', ORQT: 'two' } }),
    ).rejects.toMatchObject({
      code: 'validation',
      vendorCode: 'WNU0101',
      field: 'ORQT',
      message: 'OIS100MI/AddLine: ordered quantity two must be numeric',
    });
  });

  it('answers a bulk execute with one result per transaction and stops at the first NOK', async () => {
    const m3 = (emulator = await startM3Emulator()) as M3Emulator;
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
      results: { transaction: string; errorMessage?: string }[];
      wasTerminated: boolean;
      nrOfSuccessfullTransactions: number;
      nrOfFailedTransactions: number;
    };
    expect({ ...body, results: body.results.map((r) => [r.transaction, r.errorMessage?.trimEnd()]) }).toEqual({
      results: [
        ['GetBasicData', undefined],
        ['GetBasicData', 'Customer NOPE does not exist'],
      ],
      wasTerminated: true,
      nrOfSuccessfullTransactions: 1,
      nrOfFailedTransactions: 1,
    });
  });
});
