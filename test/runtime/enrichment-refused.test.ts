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
import { auditTrail, junction } from '../ops/cli-in-process.js';
import { rawRequest } from '../security/helpers/raw-request.js';
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

  // A replay would store the change as it came, without the fields the refused read adds: refused, over NATS, the
  // API and the CLI over the API alike, with what to do instead. The entry stays open and unclaimed.
  const why =
    'the source refused the enrichment read of its change (enrichment-refused), and a replay does not read again: ' +
    'it would send the change without the fields that read adds; fix the spec (or the org), then bring record ' +
    '001900000000007AAA over by reading it again (`junction reconcile account-changes --all --fix` or `junction ' +
    `backfill account-changes\`) and resolve the entry (\`junction dlq resolve ${entry.id} --reason "reconciled"\`); ` +
    'force the replay to send the change without those fields anyway';
  const nats = ['--nats', h.nats.url];
  expect(await junction('dlq', 'replay', entry.id, ...nats)).toEqual({
    code: 1,
    stdout: `${entry.id}  enrichment-refused (${why} (--force))\n`,
    stderr: '1 of 1 not replayed\n',
  });
  const api = await rawRequest(`${h.engine.operatorUrl}/api/dlq/${entry.id}/replay`, { method: 'POST' });
  expect(api.status).toBe(409);
  expect(api.json).toEqual({
    error: 'enrichment-refused',
    message: `dead letter ${entry.id} was not replayed: ${why} (?force=1)`,
  });
  const overApi = await junction('dlq', 'replay', entry.id, '--url', h.engine.operatorUrl!);
  expect(overApi.stdout).toBe(`${entry.id}  enrichment-refused (${why} (--force))\n`);
  const { entry: kept } = (await h.engine.deadLetters.get(entry.id))!;
  expect(kept.status).toBe('open');
  expect(kept.replayStartedAt).toBeUndefined();
  const refusals = (await auditTrail(h.nats.url)).filter((e) => e.action === 'dlq.replay');
  expect(refusals).toHaveLength(3);
  for (const e of refusals)
    expect(e).toMatchObject({ target: entry.id, result: 'failed', detail: { outcome: 'enrichment-refused' } });

  // Forced, it is what the message says: the change goes out without the enriched fields.
  expect((await junction('dlq', 'replay', entry.id, '--force', ...nats)).code).toBe(0);
  await waitFor(() => h!.received('changes').length === 2, 'the forced replay delivered');
  expect(h.received('changes')[1]).toEqual({ record: '001900000000007AAA', type: 'CREATE' });
});
