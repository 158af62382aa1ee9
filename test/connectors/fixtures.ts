/** The four connectors' conformance fixtures. */
import { startHttpEmulator } from '../../connectors/http/emulator.js';
import { M3_EMULATOR_USER, startM3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import { MAGENTO_EMULATOR_TOKEN, startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { SALESFORCE_EMULATOR_CLIENT, startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { ConnectorFixture } from './connector-fixtures.js';

const SF = '/services/data/v60.0';

export const magento: ConnectorFixture = {
  id: 'magento',
  start: () => startMagentoEmulator(),
  auth: { type: 'magento_token', token: '${env:MAGENTO_TOKEN}' },
  env: { MAGENTO_TOKEN: MAGENTO_EMULATOR_TOKEN },
  badEnv: { MAGENTO_TOKEN: 'wrong-token-value' },
  secret: MAGENTO_EMULATOR_TOKEN,
  options: { store_code: 'default' },
  probe: { operation: 'products.get', body: { sku: 'MUG-1' }, request: { method: 'GET', path: '/rest/default/V1/products/MUG-1' } },
  calls: [
    { operation: 'products.update', body: { sku: 'MUG-1', price: 9.5 }, request: { method: 'PUT', path: '/rest/default/V1/products/MUG-1', body: { product: { sku: 'MUG-1', price: 9.5 }, saveOptions: true } }, result: { sku: 'MUG-1', price: 9.5, name: 'Enamel Mug' } },
    { operation: 'source_items.save', body: { sku: 'MUG-1', source_code: 'east_warehouse', quantity: 7, status: 1 }, request: { method: 'POST', path: '/rest/default/V1/inventory/source-items', body: { sourceItems: [{ sku: 'MUG-1', source_code: 'east_warehouse', quantity: 7, status: 1 }] } }, result: { saved: true } },
    { operation: 'customers.create', body: { email: 'grace@example.com', firstname: 'Grace', lastname: 'Hopper', addresses: [{ city: 'Arlington', country_id: 'US', street: ['1 Navy Way'] }] }, request: { method: 'POST', path: '/rest/default/V1/customers', body: { customer: { email: 'grace@example.com', firstname: 'Grace', lastname: 'Hopper', addresses: [{ city: 'Arlington', country_id: 'US', street: ['1 Navy Way'] }] } } }, result: { id: 100, email: 'grace@example.com' } },
    { operation: 'orders.search', params: { page_size: 10, updated_after: '2026-01-01 00:00:00' }, request: { method: 'GET', path: '/rest/default/V1/orders', query: { 'searchCriteria[filter_groups][0][filters][0][field]': 'updated_at', 'searchCriteria[filter_groups][0][filters][0][value]': '2026-01-01 00:00:00', 'searchCriteria[filter_groups][0][filters][0][condition_type]': 'gt', 'searchCriteria[sortOrders][0][field]': 'updated_at', 'searchCriteria[sortOrders][0][direction]': 'ASC', 'searchCriteria[pageSize]': '10' } }, result: { total_count: 1 } },
    { operation: 'shipments.create', body: { order_id: 1001, items: [{ order_item_id: 10011, qty: 2 }], tracks: [{ track_number: '1Z999', carrier_code: 'ups', title: 'UPS' }] }, request: { method: 'POST', path: '/rest/default/V1/order/1001/ship', body: { items: [{ order_item_id: 10011, qty: 2 }], tracks: [{ track_number: '1Z999', carrier_code: 'ups', title: 'UPS' }] } }, result: { id: 1 } },
  ],
  invalid: { operation: 'products.update', body: { sku: 'NOPE-1', price: 3 }, request: { method: 'PUT', path: '/rest/default/V1/products/NOPE-1' }, code: 'not-found', vendorCode: 'NoSuchEntityException', message: "The product that was requested doesn't exist. Verify the product and try again." },
};

export const salesforce: ConnectorFixture = {
  id: 'salesforce',
  start: () => startSalesforceEmulator({ queryBatchSize: 2 }),
  auth: { type: 'oauth2_client_credentials', tokenUrl: '/services/oauth2/token', clientId: '${env:SF_CLIENT_ID}', clientSecret: '${env:SF_CLIENT_SECRET}' },
  env: { SF_CLIENT_ID: SALESFORCE_EMULATOR_CLIENT.clientId, SF_CLIENT_SECRET: SALESFORCE_EMULATOR_CLIENT.clientSecret },
  badEnv: { SF_CLIENT_ID: SALESFORCE_EMULATOR_CLIENT.clientId, SF_CLIENT_SECRET: 'not-the-secret' },
  secret: SALESFORCE_EMULATOR_CLIENT.clientSecret,
  probe: { operation: 'query', body: { q: "SELECT Id FROM Account WHERE Magento_Customer_Id__c = '42'" }, request: { method: 'GET', path: `${SF}/query` } },
  calls: [
    { operation: 'sobjects.create', params: { sobject: 'Account' }, body: { Name: 'Grace Hopper Inc' }, request: { method: 'POST', path: `${SF}/sobjects/Account`, body: { Name: 'Grace Hopper Inc' } }, result: { success: true, created: true } },
    { operation: 'sobjects.upsert', params: { sobject: 'Product2', external_id_field: 'ProductCode' }, body: { ProductCode: 'HAT-1', Name: 'Hat' }, request: { method: 'PATCH', path: `${SF}/sobjects/Product2/ProductCode/HAT-1`, body: { Name: 'Hat' } }, result: { success: true, created: true } },
    { operation: 'sobjects.upsert', params: { sobject: 'Product2', external_id_field: 'ProductCode' }, body: { ProductCode: 'MUG-1', Description: 'Now in blue' }, request: { method: 'PATCH', path: `${SF}/sobjects/Product2/ProductCode/MUG-1`, body: { Description: 'Now in blue' } }, result: { success: true, created: false } },
    { operation: 'query', body: { q: 'SELECT Id, ProductCode FROM Product2' }, request: { method: 'GET', path: `${SF}/query`, query: { q: 'SELECT Id, ProductCode FROM Product2' } }, result: { totalSize: 3, done: true } },
  ],
  invalid: { operation: 'sobjects.create', params: { sobject: 'Account' }, body: { Nmae: 'typo' }, request: { method: 'POST', path: `${SF}/sobjects/Account` }, code: 'validation', vendorCode: 'INVALID_FIELD', message: "No such column 'Nmae' on sobject of type Account" },
};

export const inforM3: ConnectorFixture = {
  id: 'infor_m3',
  start: () => startM3Emulator(),
  auth: { type: 'basic', username: '${env:M3_USER}', password: '${env:M3_PASSWORD}' },
  env: { M3_USER: M3_EMULATOR_USER.username, M3_PASSWORD: M3_EMULATOR_USER.password },
  badEnv: { M3_USER: M3_EMULATOR_USER.username, M3_PASSWORD: 'wrong-password' },
  secret: M3_EMULATOR_USER.password,
  options: { company: 100 },
  probe: { operation: 'MMS200MI/GetItmBasic', body: { ITNO: 'MUG-1' }, request: { method: 'GET', path: '/m3api-rest/v2/execute/MMS200MI/GetItmBasic', query: { CONO: '100', ITNO: 'MUG-1' } } },
  calls: [
    { operation: 'CRS610MI/Add', body: { CUNO: '10043', CUNM: 'Grace Hopper', CUTM: 'TEMPLATE', TOWN: 'Arlington' }, request: { method: 'GET', path: '/m3api-rest/v2/execute/CRS610MI/Add', query: { CONO: '100', CUNO: '10043', CUNM: 'Grace Hopper', CUTM: 'TEMPLATE', TOWN: 'Arlington' } }, result: {} },
    { operation: 'OIS100MI/AddHead', body: { CUNO: '10042', ORTP: 'A01', ORDT: '20261120', CUOR: '00001001' }, request: { method: 'GET', path: '/m3api-rest/v2/execute/OIS100MI/AddHead', query: { CONO: '100', CUNO: '10042', ORTP: 'A01', ORDT: '20261120', CUOR: '00001001' } }, result: { ORNO: '1000001' } },
    { operation: 'MMS080MI/LstByItem', body: { ITNO: 'MUG-1' }, request: { method: 'GET', path: '/m3api-rest/v2/execute/MMS080MI/LstByItem', query: { CONO: '100', ITNO: 'MUG-1' } }, result: { records: [{ ITNO: 'MUG-1', WHLO: '100', STQT: '120', ALQT: '4', PLQT: '0' }] } },
  ],
  invalid: { operation: 'OIS100MI/AddHead', body: { CUNO: '99999', ORTP: 'A01', ORDT: '20261120' }, request: { method: 'GET', path: '/m3api-rest/v2/execute/OIS100MI/AddHead' }, code: 'not-found', vendorCode: 'WCU0203', message: 'OIS100MI/AddHead: Customer 99999 does not exist' },
};

export const http: ConnectorFixture = {
  id: 'http',
  start: () => startHttpEmulator({ token: 'app-emulator-token' }),
  auth: { type: 'bearer', token: '${env:APP_TOKEN}' },
  env: { APP_TOKEN: 'app-emulator-token' },
  badEnv: { APP_TOKEN: 'nope-nope' },
  secret: 'app-emulator-token',
  probe: { operation: 'get', params: { path: '/orders' }, request: { method: 'GET', path: '/orders' } },
  calls: [
    { operation: 'post', params: { path: '/orders', object: 'order' }, body: { id: 'B-1', total: 12 }, request: { method: 'POST', path: '/orders', body: { id: 'B-1', total: 12 } }, result: { id: 'B-1', total: 12 } },
    { operation: 'put', params: { path: '/orders/{id}/status', object: 'order_status', id_field: 'id' }, body: { id: 'B-1', status: 'shipped' }, request: { method: 'PUT', path: '/orders/B-1/status', body: { id: 'B-1', status: 'shipped' } }, result: { status: 'shipped' } },
  ],
  invalid: { operation: 'post', params: { path: '/orders', object: 'order' }, body: ['not', 'an', 'object'], request: { method: 'POST', path: '/orders' }, code: 'validation', vendorCode: 'invalid_body', message: 'the body must be a JSON object' },
};

export const ALL_FIXTURES = [magento, salesforce, inforM3, http];
