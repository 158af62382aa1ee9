/**
 * Salesforce's daily API allocation spent, through a real engine, connector and emulator: the call that meets the
 * spent allocation (403 REQUEST_LIMIT_EXCEEDED, no Retry-After) and the retries the connector then refuses itself
 * before sending (the allocation guard: nothing goes out until the window frees the reserve) are throttling, which
 * does not spend `max_attempts`: the event waits until `retry.throttle_deadline` and is then dead-lettered with
 * reason `throttle-deadline`, the org having received the one call.
 */
import { afterEach, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { expectDrained, waitFor } from './helpers/runtime-harness.js';
import { salesforceConnection, salesforceEnv } from './helpers/vendor-connections.js';
import { startVendorEngine } from './helpers/vendor-engine.js';
import type { VendorEngine } from './helpers/vendor-engine.js';

let h: VendorEngine | undefined;
let sf: SalesforceEmulator | undefined;
afterEach(async () => {
  await h?.dispose();
  await sf?.stop();
  h = sf = undefined;
});

const ACCOUNTS = `apiVersion: junction/v1
kind: Integration
name: accounts
source: { webhook: { verify: none } }
key: $string(id)
steps:
  - id: account
    connection: sf
    operation: sobjects.upsert
    params: { sobject: Account, external_id_field: Magento_Customer_Id__c }
    body: '{ "Magento_Customer_Id__c": $string(id), "Name": name }'
owns: [{ connection: sf, object: Account, fields: [Name] }]
retry: { max_attempts: 1, initial: 100ms, max: 1s, throttle_deadline: 2s }
`;

it('a spent API allocation, then the refusals before sending, wait up to throttle_deadline and dead-letter', async () => {
  sf = await startSalesforceEmulator();
  h = await startVendorEngine(
    { 'connections/sf.yaml': salesforceConnection(), 'accounts.yaml': ACCOUNTS },
    salesforceEnv(sf),
  );
  sf.allocation.limit = 100;
  sf.allocation.setUsed(100);
  const writes = () => sf!.requests.filter((r) => r.path.includes('/sobjects/Account/'));
  const res = await fetch(`${h.engine.url}/hooks/accounts`, {
    method: 'POST',
    body: JSON.stringify({ id: 77, name: 'Grace Hopper' }),
  });
  expect(res.status).toBe(202);
  const deadLetters = () => h!.engine.deadLetters.list({ integration: 'accounts' });
  await waitFor(async () => (await deadLetters()).length === 1, 'dead-lettered at the throttle deadline', 20_000);
  await expectDrained(h.nats.url);
  const [entry] = await deadLetters();
  expect(entry).toMatchObject({
    key: '77',
    step: 'account',
    reason: 'throttle-deadline',
    error: { code: 'rate-limited' },
  });
  // The first answer was Salesforce's 403; the later attempts were refused by the allocation guard before sending (the
  // last answer is the guard's), and the event went on being throttled past max_attempts (1) until the deadline.
  expect(entry.error.message).toMatch(
    new RegExp(
      '^throttled by the target \\(rate limit\\) \\d+ times over \\d+s, past the throttle deadline of 2s ' +
        '\\(retry\\.throttle_deadline\\); last answer: sf: the API allocation is spent \\(100/100\\); calls free up ' +
        'as the window rolls: retrying in 144 min, when the 10 % reserve is free again$',
    ),
  );
  expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual([
    'PATCH /services/data/v60.0/sobjects/Account/Magento_Customer_Id__c/77',
  ]);
  expect(sf.records('Account').filter((a) => a.Magento_Customer_Id__c === '77')).toEqual([]);
});
