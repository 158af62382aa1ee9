/**
 * An enrichment read Salesforce refuses for good: the spec names a field the org does not have (here the overlay
 * pulled before the field was deleted still lists it, so validate passed). Salesforce answers the SOQL query with
 * HTTP 400 INVALID_FIELD; the event is dead-lettered with that reason and the spec line to fix, instead of failing
 * the subscription at that event for ever, and the events after it are still delivered.
 */
import { join, relative } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { waitFor } from './helpers/runtime-harness.js';
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

/** The org's Account as pulled while it still had Loyalty_Tier__c. */
const OVERLAY = JSON.stringify({
  connection: 'sf',
  entity: 'Account',
  connector: 'salesforce',
  pulled_from: ['GET /services/data/v60.0/sobjects/Account/describe'],
  fields: {
    Id: { type: 'string' },
    Name: { type: 'string' },
    BillingCity: { type: 'string' },
    Loyalty_Tier__c: { type: 'string' },
  },
});

const FLOW = `apiVersion: junction/v1
kind: Integration
name: account-changes
source:
  stream:
    connection: sf
    stream: change_events
    params:
      topic: /data/AccountChangeEvent
      enrich_fields: [Name, Loyalty_Tier__c]
    start: earliest
key: Id
steps:
  - id: write
    connection: target
    operation: post
    params: { path: /changes }
    body: '{ "record": Id, "type": ChangeEventHeader.changeType, "tier": Loyalty_Tier__c }'
owns: [{ connection: target, object: resource, fields: ["*"] }]
`;

it('dead-letters an event whose enrichment Salesforce refuses (INVALID_FIELD), naming the field and its spec line', async () => {
  sf = await startSalesforceEmulator({ pubsub: true });
  h = await startVendorEngine(
    {
      'connections/sf.yaml': salesforceConnection({ pubsub: true }),
      'schemas/overlays/sf/Account.json': OVERLAY,
      'account-changes.yaml': FLOW,
    },
    salesforceEnv(sf),
  );
  sf.store.insert('Account', { Id: '001900000000007AAA', Name: 'Hopper Compilers' });
  // A delete reads nothing: it comes after the refused create and must still be delivered.
  sf.store.remove('Account', '001900000000007AAA');
  await waitFor(() => h!.received('changes').length === 1, 'the delete after the refused create delivered');
  expect(h.received('changes')).toEqual([{ record: '001900000000007AAA', type: 'DELETE' }]);

  // The enrichment read, as the emulator (like Salesforce) refused it: 400 INVALID_FIELD (the entry below).
  expect(sf.requests.filter((r) => r.path.endsWith('/query')).map((r) => r.query.q)).toEqual([
    "SELECT Id, Name, Loyalty_Tier__c FROM Account WHERE Id IN ('001900000000007AAA')",
  ]);

  const [entry] = await h.engine.deadLetters.list({ integration: 'account-changes' });
  expect(entry).toMatchObject({
    integration: 'account-changes',
    key: '001900000000007AAA',
    reason: 'permanent',
    status: 'open',
    event: { Id: '001900000000007AAA', ChangeEventHeader: { changeType: 'CREATE', entityName: 'Account' } },
    error: {
      code: 'enrichment-refused',
      message:
        "Salesforce refused the enrichment read of this Account change (INVALID_FIELD: No such column 'Loyalty_Tier__c' " +
        "on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the " +
        'custom field name. Please reference your WSDL or the describe call for the appropriate names.): ' +
        '`Loyalty_Tier__c` is not a field of Account in this org; fix it in the spec (`enrich_fields[1]` at ' +
        `${relative(process.cwd(), join(h.dir, 'account-changes.yaml'))}:10:29). The change` +
        " was not stored as an event: after the fix the record's next change" +
        ' carries the fields; to bring this one, reconcile or backfill the record 001900000000007AAA (a replay would ' +
        'send it without the fields the read adds)',
    },
  });
  expect(await h.engine.deadLetters.list()).toHaveLength(1);
});
