/**
 * Salesforce composite answers 200 whatever its subrequests did; the step's error is the first failed subrequest's.
 * Without allOrNone the subrequests before it stay applied, so sending the call again would repeat them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { CompiledConnection } from '../../engine/compiler/compiled-spec.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { ConnectionClient } from '../../engine/http/connection-client.js';
import type { Transport } from '../../engine/http/transport.js';
import { connectionTo, emulatorSecurity, failure, registry } from './connector-fixtures.js';
import { salesforce } from './fixtures/index.js';

let sf: SalesforceEmulator | undefined;
let emulated: ConnectionClient | undefined;
afterEach(async () => {
  await emulated?.close();
  await sf?.stop();
  sf = emulated = undefined;
});

/** A fresh emulated org and a client of it. */
async function emulatorClient(): Promise<{ org: SalesforceEmulator; client: ConnectionClient }> {
  const org = (sf = await startSalesforceEmulator());
  emulated = createConnectionClient({
    connection: connectionTo(salesforce, org.url),
    connector: registry.get('salesforce')!,
    env: salesforce.env,
    security: emulatorSecurity(org.url),
  });
  return { org, client: emulated };
}

const connection: CompiledConnection = {
  name: 'ff',
  type: 'salesforce',
  baseUrl: 'https://example.my.salesforce.com',
  auth: { type: 'bearer', token: 'token' },
  timeoutMs: 1000,
  commitWindowMs: 0,
  options: {},
  file: 'test',
};
const compositeRequest = [
  { method: 'POST', url: '/services/data/v60.0/sobjects/Account', referenceId: 'acct', body: { Name: 'Kept Co' } },
  {
    method: 'PATCH',
    url: '/services/data/v60.0/sobjects/Account/001000000000001AAA',
    referenceId: 'locked',
    body: { Phone: '1' },
  },
];
const lock = 'unable to obtain exclusive access to this record or 1 records: 001000000000001AAA';
const halted = {
  errorCode: 'PROCESSING_HALTED',
  message: 'The transaction was rolled back since another operation in the same transaction failed.',
};

/** The composite call against Salesforce answering these subrequest results (status, body) in order. */
async function composite(allOrNone: boolean, answers: [number, unknown][]) {
  const compositeResponse = answers.map(([httpStatusCode, body], i) => ({
    body,
    httpHeaders: {},
    httpStatusCode,
    referenceId: compositeRequest[i].referenceId,
  }));
  const transport: Transport = async () => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ compositeResponse }),
  });
  const client = createConnectionClient({ connection, connector: registry.get('salesforce')!, transport });
  return failure(client.call('composite', { params: {}, body: { allOrNone, compositeRequest } }));
}

describe('salesforce composite', () => {
  it('retries a transient subrequest failure only when allOrNone rolled the others back', async () => {
    const failed = [400, [{ message: lock, errorCode: 'UNABLE_TO_LOCK_ROW', fields: [] }]] as [number, unknown];
    const rolledBack = await composite(true, [[400, [halted]], failed]);
    expect([rolledBack.code, rolledBack.disposition, rolledBack.message]).toEqual([
      'row-lock',
      'retryable',
      `composite subrequest locked: ${lock}`,
    ]);
    const partial = await composite(false, [[201, { id: '001000000000002AAA', success: true, errors: [] }], failed]);
    expect([partial.code, partial.disposition, partial.vendorCode, partial.message]).toEqual([
      'row-lock',
      'permanent',
      'UNABLE_TO_LOCK_ROW',
      `composite subrequest locked: ${lock} (not retried: without allOrNone the subrequests acct were applied, and sending the call again would repeat them; set allOrNone: true to retry it whole)`,
    ]);
  });

  it('does not execute a subrequest that refers to a failed one, and keeps the others without allOrNone', async () => {
    const { org, client } = await emulatorClient();
    const contacts = org.records('Contact').length;
    const error = await failure(
      client.call('composite', {
        params: {},
        body: {
          compositeRequest: [
            { method: 'POST', url: '/services/data/v60.0/sobjects/Account', referenceId: 'nameless', body: {} },
            {
              method: 'POST',
              url: '/services/data/v60.0/sobjects/Contact',
              referenceId: 'contact',
              body: { LastName: 'Orphan', Phone: '@{nameless.id}' },
            },
            {
              method: 'POST',
              url: '/services/data/v60.0/sobjects/Account',
              referenceId: 'other',
              body: { Name: 'Kept' },
            },
          ],
        },
      }),
    );
    expect([error.code, error.disposition, error.message]).toEqual([
      'validation',
      'permanent',
      'composite subrequest nameless: Required fields are missing: [Name] (not retried: without allOrNone the subrequests other were applied, and sending the call again would repeat them; set allOrNone: true to retry it whole)',
    ]);
    expect(org.records('Contact')).toHaveLength(contacts);
    expect(org.records('Account').map((a) => a.Name)).toEqual(['Ada Lovelace Ltd', 'Kept']);
  });

  it('refuses a referenceId with other characters than letters, digits and underscores, and runs nothing', async () => {
    const { org, client } = await emulatorClient();
    const accounts = org.records('Account').length;
    const error = await failure(
      client.call('composite', {
        params: {},
        body: {
          allOrNone: true,
          compositeRequest: [
            {
              method: 'POST',
              url: '/services/data/v60.0/sobjects/Account',
              referenceId: 'new-account',
              body: { Name: 'Hyphen Co' },
            },
          ],
        },
      }),
    );
    expect([error.code, error.disposition, error.status, error.vendorCode, error.message]).toEqual([
      'validation',
      'permanent',
      400,
      'JSON_PARSER_ERROR',
      "Provided referenceId ('new-account') must start with a letter or a number, and it can contain only letters, numbers and underscores ('_').",
    ]);
    expect(org.records('Account')).toHaveLength(accounts);
  });
});
