/** Behaviour specific to each vendor that the seeds rely on, checked against the emulators. */
import { afterEach, describe, expect, it } from 'vitest';
import { startM3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import type { M3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import { startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { EmulatorServer } from '../../engine/sdk/index.js';
import { connectionTo, registry } from './connector-fixtures.js';
import { inforM3, magento, salesforce } from './fixtures.js';
import type { ConnectorFixture } from './connector-fixtures.js';

let emulator: EmulatorServer | undefined;
afterEach(async () => {
  await emulator?.stop();
  emulator = undefined;
});

const clientFor = (fixture: ConnectorFixture, url: string) => createConnectionClient({ connection: connectionTo(fixture, url), connector: registry.get(fixture.id)!, env: fixture.env });

describe('salesforce', () => {
  it('refreshes an expired OAuth token once and retries the call', async () => {
    const sf = (emulator = await startSalesforceEmulator()) as SalesforceEmulator;
    const client = clientFor(salesforce, sf.url);
    await client.call('query', { params: {}, body: { q: 'SELECT Id FROM Account' } });
    sf.expireTokens();
    const result = await client.call('query', { params: {}, body: { q: 'SELECT Id, Name FROM Account' } });
    expect(result.result).toMatchObject({ totalSize: 1, records: [{ Name: 'Ada Lovelace Ltd' }] });
    const tokenCalls = sf.requests.filter((r) => r.path === '/services/oauth2/token');
    expect(tokenCalls).toHaveLength(2);
    expect(tokenCalls[1].body).toEqual({ grant_type: 'client_credentials', client_id: 'junction-emulator-client', client_secret: 'junction-emulator-secret' });
    expect(sf.requests.map((r) => r.path.replace(/\?.*/, ''))).toEqual(['/services/oauth2/token', '/services/data/v60.0/query', '/services/data/v60.0/query', '/services/oauth2/token', '/services/data/v60.0/query']);
  });

  it('locks the usage entries of a fulfilled contract: a change is a permanent record-locked error', async () => {
    const sf = (emulator = await startSalesforceEmulator()) as SalesforceEmulator;
    const client = clientFor(salesforce, sf.url);
    const [active, fulfilled] = sf.records('Contract');
    const upsert = (contract: unknown, units: number, id = 'ad-1') => client.call('sobjects.upsert', { params: { sobject: 'Usage_Entry__c', external_id_field: 'External_Id__c' }, body: { External_Id__c: id, Contract__c: contract, Product_Type__c: 'Display Banner', Units__c: units } });
    await upsert(active.Id, 3);
    sf.state.records.get('Contract')!.set(String(active.Id), { ...active, Status: 'Fulfilled' });
    await expect(upsert(active.Id, 5)).rejects.toMatchObject({ code: 'record-locked', disposition: 'permanent', status: 400, vendorCode: 'ENTITY_IS_LOCKED', message: `entity is locked: usage entry ${String(sf.records('Usage_Entry__c')[0].Id)} belongs to fulfilled contract C-1001` });
    await expect(upsert(fulfilled.Id, 1, 'ad-2')).rejects.toMatchObject({ code: 'validation', vendorCode: 'FIELD_INTEGRITY_EXCEPTION' });
    expect(sf.records('Usage_Entry__c').map((u) => u.Units__c)).toEqual([3]);
  });

  it('follows nextRecordsUrl and combines every page of a query', async () => {
    emulator = await startSalesforceEmulator({ queryBatchSize: 2 });
    const result = await clientFor(salesforce, emulator.url).call('query', { params: {}, body: { q: 'SELECT ProductCode FROM Product2 ORDER BY ProductCode' } });
    expect(result.result).toEqual({ totalSize: 3, done: true, records: ['CAP-1', 'MUG-1', 'TEE-1'].map((code) => ({ attributes: expect.any(Object), ProductCode: code })) });
  });
});

describe('magento', () => {
  it('updates a product partially: name, description, SEO fields and media stay untouched', async () => {
    const m = (emulator = await startMagentoEmulator()) as Awaited<ReturnType<typeof startMagentoEmulator>>;
    const before = structuredClone(m.state.products.get('MUG-1'));
    await clientFor(magento, m.url).call('products.update', { params: {}, body: { sku: 'MUG-1', price: 11 } });
    expect(m.state.products.get('MUG-1')).toEqual({ ...before, price: 11 });
  });
});

describe('infor_m3', () => {
  it('returns AddHead order number for AddLine, and reports a locked record as permanent', async () => {
    const m3 = (emulator = await startM3Emulator()) as M3Emulator;
    const client = clientFor(inforM3, m3.url);
    const head = await client.call('OIS100MI/AddHead', { params: {}, body: { CUNO: '10042', ORTP: 'A01', ORDT: '20261120' } });
    const { ORNO } = head.result as { ORNO: string };
    const line = await client.call('OIS100MI/AddLine', { params: {}, body: { ORNO, ITNO: 'MUG-1', ORQT: 2 } });
    expect(line.result).toEqual({ PONR: '1' });
    m3.lock('customer', '10042');
    await expect(client.call('CRS610MI/Chg', { params: {}, body: { CUNO: '10042', TOWN: 'Oakland' } })).rejects.toMatchObject({ code: 'record-locked', disposition: 'permanent', vendorCode: 'XLO0101', field: 'CUNO', message: 'CRS610MI/Chg: Record 10042 is locked by another user' });
    await expect(client.call('OIS100MI/AddHead', { params: {}, body: { CUNO: '10042', ORTP: 'A01', ORDT: '2026-11-20' } })).rejects.toMatchObject({ code: 'validation', vendorCode: 'WDT0101', field: 'ORDT' });
  });
});
