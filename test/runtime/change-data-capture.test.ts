/**
 * Salesforce Change Data Capture over the Pub/Sub API, end to end: the Salesforce emulator serves gRPC on loopback
 * and publishes a change event for every committed write; the engine subscribes (a real nats-server), stores each
 * event before it stores the replay id, and delivers it. An update carries only its changed fields; enrichment
 * reads the record first. Stopping the engine mid-stream, and even losing the last stored replay id (a crash
 * between the PubAck and the KV write), loses nothing and writes nothing twice; nor does a spec change that keeps
 * the topic (the stored replay id is still resumed). A source whose spec changes restarts under the lease it holds:
 * another engine following it neither takes it over nor subscribes next to it (the emulator counts subscriptions
 * open at once). A stored replay id past retention resumes from the earliest event, and the status says what may be
 * missing; a subscription gone silent is opened again. A subscription that keeps failing shows in the status.
 */
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { sourceLeaseKey } from '../../engine/runtime/sources/source-lease.js';
import { expectDrained, waitFor } from './helpers/runtime-harness.js';
import { salesforceConnection, salesforceEnv } from './helpers/vendor-connections.js';
import { countBy, patchSalesforceRecord, startVendorEngine } from './helpers/vendor-engine.js';
import type { VendorEngine } from './helpers/vendor-engine.js';

let h: VendorEngine | undefined;
let sf: SalesforceEmulator | undefined;
afterEach(async () => {
  await h?.dispose();
  await sf?.stop();
  h = sf = undefined;
});

const specs = (enrich: string, begin = 'earliest', batchSize = 5) => ({
  'connections/sf.yaml': salesforceConnection({ pubsub: true }),
  'account-changes.yaml': `apiVersion: junction/v1
kind: Integration
name: account-changes
source:
  stream:
    connection: sf
    stream: change_events
    params: { topic: /data/AccountChangeEvent${enrich} }
    start: ${begin}
    batch_size: ${batchSize}
key: Id
steps:
  - id: write
    connection: target
    operation: post
    params: { path: /changes }
    body: |
      { "id": Id & "@" & $string(ChangeEventHeader.commitNumber), "record": Id,
        "type": ChangeEventHeader.changeType, "changed": ChangeEventHeader.changedFields,
        "name": Name, "city": BillingCity }
owns: [{ connection: target, object: resource, fields: ["*"] }]
`,
});

async function start(enrich = '', begin = 'earliest') {
  sf = await startSalesforceEmulator({ pubsub: true });
  h = await startVendorEngine(specs(enrich, begin), salesforceEnv(sf));
  return sf;
}

const patchAccount = (id: string, body: Record<string, unknown>) => patchSalesforceRecord(sf!.url, 'Account', id, body);

it('delivers change events; an update carries only its changed fields, and enrichment reads the rest', async () => {
  const org = await start(', enrich_fields: [Name, BillingCity]');
  org.store.insert('Account', { Id: '001900000000001AAA', Name: 'Babbage Engines', BillingCity: 'London' });
  await patchAccount('001900000000001AAA', { BillingCity: 'Cambridge' });
  await waitFor(() => h!.received('changes').length === 2, 'the create and the update delivered');
  await expectDrained(h!.nats.url);
  const [created, updated] = h!.received('changes');
  expect(created).toMatchObject({ record: '001900000000001AAA', type: 'CREATE', changed: [], name: 'Babbage Engines' });
  expect(updated).toMatchObject({
    record: '001900000000001AAA',
    type: 'UPDATE',
    changed: ['BillingCity', 'LastModifiedDate'],
    name: 'Babbage Engines',
    city: 'Cambridge',
  });
  // The enrichment read went through the REST API with the fields asked for.
  expect(
    org.requests.some(
      (r) => r.path.endsWith('/query') && /SELECT Id, Name, BillingCity FROM Account WHERE Id IN/.test(r.query.q),
    ),
  ).toBe(true);
});

it('without enrichment an update has only what changed: unchanged fields are not sent as nulls', async () => {
  const org = await start();
  org.store.insert('Account', { Id: '001900000000002AAA', Name: 'Lovelace Analytics', BillingCity: 'London' });
  await patchAccount('001900000000002AAA', { BillingCity: 'Paris' });
  await waitFor(() => h!.received('changes').length === 2, 'both delivered');
  const updated = h!.received('changes')[1];
  expect(updated).toEqual({
    id: expect.stringMatching(/^001900000000002AAA@\d+$/),
    record: '001900000000002AAA',
    type: 'UPDATE',
    changed: ['BillingCity', 'LastModifiedDate'],
    city: 'Paris',
  });
});

it('resumes after a restart mid-stream, and after losing the last stored replay id, with 0 lost and 0 duplicates', async () => {
  const org = await start();
  let written = 0;
  const write = () => {
    written++;
    const id = `0019${String(written).padStart(11, '0')}AAA`;
    org.store.insert('Account', { Id: id, Name: `Account ${written}` });
  };
  for (let i = 0; i < 30; i++) write();
  await waitFor(() => h!.received('changes').length >= 10, 'the stream under way');
  const producing = setInterval(write, 5);
  await h!.restart();
  await waitFor(() => h!.received('changes').length >= 60, 'more after the restart');
  clearInterval(producing);
  // A crash after the PubAck and before the KV write: the stored replay id is an older one.
  const nc = await connect({ servers: h!.nats.url });
  const cursors = await new Kvm(nc).open(BUCKET_NAMES.cursors);
  const stored = (await cursors.get('account-changes'))!.json<{ position: string; source: string }>();
  await h!.engine.stop();
  const older = (BigInt(`0x${stored.position}`) - 20n).toString(16).padStart(16, '0');
  await cursors.put('account-changes', JSON.stringify({ ...stored, position: older }));
  await nc.close();
  for (let i = 0; i < 10; i++) write();
  await h!.restart();
  await waitFor(() => h!.received('changes').length >= written, `all ${written} changes delivered`);
  await expectDrained(h!.nats.url);
  const counts = countBy(h!.received('changes'), 'record');
  expect(counts.size).toBe(written);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
  expect(await h!.engine.deadLetters.list({})).toEqual([]);
});

it('keeps its replay id when a changed spec leaves the topic as it was: no change made meanwhile is lost', async () => {
  const org = await start('', 'latest');
  // From the latest event on: an account created before the subscription opened never comes, so create until one does.
  let created = 0;
  const create = () => {
    created++;
    org.store.insert('Account', { Id: `0019${String(created).padStart(11, '0')}AAA`, Name: `Account ${created}` });
  };
  await waitFor(() => {
    create();
    return h!.received('changes').length >= 1;
  }, 'the subscription open');
  await waitFor(async () => {
    const nc = await connect({ servers: h!.nats.url });
    const stored = await (await new Kvm(nc).open(BUCKET_NAMES.cursors)).get('account-changes');
    await nc.close();
    return !!stored;
  }, 'a replay id stored');
  const before = h!.received('changes').length;
  await h!.engine.stop();
  // Changed while the engine is down; then the spec reads more with each event and asks for larger batches.
  org.store.insert('Account', { Id: '001900000000900AAA', Name: 'Changed while down' });
  await h!.restart(specs(', enrich_fields: [Name]', 'latest', 10));
  org.store.insert('Account', { Id: '001900000000901AAA', Name: 'Changed after the restart' });
  await waitFor(
    () => h!.received('changes').some((c) => c.record === '001900000000901AAA'),
    'the change after the restart delivered',
  );
  const after = h!.received('changes').slice(before);
  expect(after.map((c) => c.record)).toContain('001900000000900AAA');
  expect(countBy(h!.received('changes'), 'record').get('001900000000900AAA')).toBe(1);
});

async function leader(engine: Engine) {
  const status = (await engine.status()) as { integrations: { name: string; leader?: { self: boolean } }[] };
  return status.integrations.find((i) => i.name === 'account-changes')?.leader;
}

it('a changed stream source restarts under its lease: never two subscriptions, and the follower never leads', async () => {
  sf = await startSalesforceEmulator({ pubsub: true });
  // Renewals (and the follower's tries) every second.
  h = await startVendorEngine(specs(', enrich_fields: [Name]'), salesforceEnv(sf), { sourceLeaseTtlMs: 3000 });
  const first = h.engine;
  await waitFor(async () => (await leader(first))?.self === true, 'the first engine leads');
  const second = await h.another();
  await waitFor(async () => (await leader(second))?.self === false, 'the second engine follows');
  const nc = await connect({ servers: h.nats.url });
  const control = await new Kvm(nc).open(BUCKET_NAMES.control);
  const leaseWrites = async () => (await control.get(sourceLeaseKey('account-changes')))?.revision ?? 0;
  sf.store.insert('Account', { Id: '001900000000001AAA', Name: 'Babbage Engines', BillingCity: 'London' });
  const cities = ['Cambridge', 'Oxford', 'Bath'];
  for (const [round, fields] of ['Name, Phone', 'Name, AccountNumber', 'Name, Website'].entries()) {
    const set = await h.compile(specs(`, enrich_fields: [${fields}]`));
    await first.applySpecSet(set);
    await second.applySpecSet(set);
    await patchSalesforceRecord(sf.url, 'Account', '001900000000001AAA', { BillingCity: cities[round] });
    await waitFor(
      () => h!.received('changes').some((c) => c.city === cities[round]),
      `the change to ${cities[round]} delivered`,
    );
    // Two more renewals: the follower tried to take the lease at least once meanwhile.
    const written = await leaseWrites();
    await waitFor(async () => (await leaseWrites()) >= written + 2, 'two more lease renewals');
  }
  await nc.close();
  expect(sf.pubsubSubscriptions()).toEqual({ open: 1, peak: 1 });
  expect(await leader(first)).toMatchObject({ self: true });
  expect([...countBy(h.received('changes'), 'city').values()]).toEqual([1, 1, 1, 1]);
}, 90_000);

it('a stored replay id past retention resumes from the earliest event retained, and the status says changes may be missing', async () => {
  const org = await start();
  org.store.insert('Account', { Id: '001900000000001AAA', Name: 'Account 1' });
  await waitFor(() => h!.received('changes').length === 1, 'the stream under way');
  // Down longer than Salesforce keeps events (72 h): the stored replay id is one the bus no longer has.
  await h!.engine.stop();
  const nc = await connect({ servers: h!.nats.url });
  const cursors = await new Kvm(nc).open(BUCKET_NAMES.cursors);
  const stored = (await cursors.get('account-changes'))!.json<{ position: string; source: string }>();
  await cursors.put('account-changes', JSON.stringify({ ...stored, position: '0000000000000001' }));
  await nc.close();
  org.store.insert('Account', { Id: '001900000000002AAA', Name: 'Account 2' });
  await h!.restart();
  await waitFor(() => h!.received('changes').some((c) => c.record === '001900000000002AAA'), 'resumed');
  type Health = { lastFailure?: { message: string } };
  const status = (await h!.engine.status()) as { integrations: { name: string; sourceHealth?: Health }[] };
  expect(status.integrations.find((i) => i.name === 'account-changes')?.sourceHealth?.lastFailure?.message).toBe(
    'the stored replay id 0000000000000001 of /data/AccountChangeEvent is no longer retained by Salesforce (72 hours): ' +
      'resumed from the earliest event retained; changes made between the two are not delivered: backfill or reconcile them',
  );
  // Account 1 came again from the earliest event and was dropped as already delivered.
  expect(countBy(h!.received('changes'), 'record').get('001900000000001AAA')).toBe(1);
  // Later rounds succeed; what to reconcile stays in the status until another gap replaces it.
  org.store.insert('Account', { Id: '001900000000003AAA', Name: 'Account 3' });
  await waitFor(() => h!.received('changes').some((c) => c.record === '001900000000003AAA'), 'later changes');
  type Kept = { failedRounds: number; missedChanges?: { at: string; message: string } };
  const later = (await h!.engine.status()) as { integrations: { name: string; sourceHealth?: Kept }[] };
  const kept = later.integrations.find((i) => i.name === 'account-changes')?.sourceHealth;
  expect(kept?.missedChanges?.message).toMatch(
    /^the stored replay id 0000000000000001 of \/data\/AccountChangeEvent is/,
  );
});

it('an overflow event and a field type conversion name no record: not stored, not enriched, the status says what to reconcile', async () => {
  const org = await start(', enrich_fields: [Name, BillingCity]');
  org.store.insert('Account', { Id: '001900000000001AAA', Name: 'Account 1' });
  await waitFor(() => h!.received('changes').length === 1, 'the stream under way');
  // Salesforce's documented shapes: a field type conversion nulls a field in every Account (recordIds `001*`); a
  // transaction's changes beyond 100,000 come as one overflow event per object (the empty record id).
  org.pubsubHeaderOnly('Account', 'UPDATE', ['001*']);
  org.pubsubHeaderOnly('Account', 'GAP_OVERFLOW', ['000000000000000AAA']);
  org.store.insert('Account', { Id: '001900000000002AAA', Name: 'Account 2' });
  await waitFor(() => h!.received('changes').some((c) => c.record === '001900000000002AAA'), 'the stream went on');
  await expectDrained(h!.nats.url);
  expect(h!.received('changes').map((c) => c.record)).toEqual(['001900000000001AAA', '001900000000002AAA']);
  expect(await h!.engine.deadLetters.list({})).toEqual([]);
  // Neither was read by its "id": a wildcard is no record id, and Salesforce refuses the query.
  const reads = org.requests.filter((r) => r.path.endsWith('/query')).map((r) => r.query.q);
  expect(reads).toEqual([
    "SELECT Id, Name, BillingCity FROM Account WHERE Id IN ('001900000000001AAA')",
    "SELECT Id, Name, BillingCity FROM Account WHERE Id IN ('001900000000002AAA')",
  ]);
  type Health = { failedRounds: number; missedChanges?: { at: string; message: string } };
  const status = (await h!.engine.status()) as { integrations: { name: string; sourceHealth?: Health }[] };
  const health = status.integrations.find((i) => i.name === 'account-changes')?.sourceHealth;
  expect(health?.failedRounds).toBe(0);
  expect(health?.missedChanges?.message).toMatch(
    new RegExp(
      '^Salesforce sent an overflow event \\(GAP_OVERFLOW\\) on /data/AccountChangeEvent at replay id [0-9a-f]{16}: ' +
        'transaction [0-9a-f-]{36} committed at \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z made more than 100,000 changes, and its ' +
        'Account changes beyond them carry no event and name no record: reconcile or backfill the Account records ' +
        'changed since then$',
    ),
  );
});

it('a gap event reads gap_fields as the record is now; the ordinary events around it keep their own values', async () => {
  sf = await startSalesforceEmulator({ pubsub: true });
  // Made before the engine subscribes (it starts from the earliest event), so the record's current state is known.
  const id = '001900000000003AAA';
  sf.store.insert('Account', { Id: id, Name: 'Babbage Engines', BillingCity: 'London' });
  sf.store.update('Account', id, { BillingCity: 'Cambridge' });
  // Salesforce could not describe the next change: it comes as a gap event, its header and record id only.
  sf.pubsubGaps('Account');
  sf.store.update('Account', id, { BillingCity: 'Oxford' });
  sf.store.update('Account', id, { BillingCity: 'Bath' });
  sf.store.insert('Account', { Id: '001900000000004AAA', Name: 'Lovelace Analytics', BillingCity: 'Paris' });
  sf.pubsubGaps('Account');
  sf.store.remove('Account', '001900000000004AAA');
  h = await startVendorEngine(
    specs(', enrich_fields: [Name], gap_fields: [BillingCity]', 'earliest', 100),
    salesforceEnv(sf),
  );
  await waitFor(() => h!.received('changes').length === 6, 'every change delivered');
  await expectDrained(h.nats.url);
  // In order per record (the key); the two records' events may interleave.
  const delivered = (record: string) =>
    h!
      .received('changes')
      .filter((c) => c.record === record)
      .map(({ type, changed, name, city }) => ({ record, type, changed, name, city }));
  expect([...delivered(id), ...delivered('001900000000004AAA')]).toEqual([
    { record: id, type: 'CREATE', changed: [], name: 'Babbage Engines', city: 'London' },
    {
      record: id,
      type: 'UPDATE',
      changed: ['BillingCity', 'LastModifiedDate'],
      name: 'Babbage Engines',
      city: 'Cambridge',
    },
    // The gap read the city as it is now, the last update's; that update still comes after it with its own.
    { record: id, type: 'GAP_UPDATE', changed: [], name: 'Babbage Engines', city: 'Bath' },
    { record: id, type: 'UPDATE', changed: ['BillingCity', 'LastModifiedDate'], name: 'Babbage Engines', city: 'Bath' },
    { record: '001900000000004AAA', type: 'CREATE', changed: [], name: 'Lovelace Analytics', city: 'Paris' },
    // A gap delete is a delete: the record is gone, nothing is read.
    { record: '001900000000004AAA', type: 'GAP_DELETE', changed: [] },
  ]);
  // Only the gap event read its gap_fields; the ordinary events read their enrich_fields, never the city.
  const reads = sf.requests.filter((r) => r.path.endsWith('/query')).map((r) => r.query.q);
  expect(reads.filter((q) => q.includes('BillingCity'))).toEqual([
    `SELECT Id, Name, BillingCity FROM Account WHERE Id IN ('${id}')`,
  ]);
  expect(reads.filter((q) => !q.includes('BillingCity'))).toEqual([
    `SELECT Id, Name FROM Account WHERE Id IN ('${id}', '001900000000004AAA')`,
  ]);
});

it('a subscription gone silent (no event, no keepalive) is opened again, and the failure shows in the status', async () => {
  // Keepalives every 250 ms while idle (Salesforce: within 270 s); silent for 2 s, a subscription is taken for lost.
  sf = await startSalesforceEmulator({ pubsub: true, pubsubKeepaliveMs: 250 });
  const files = { ...specs(''), 'connections/sf.yaml': salesforceConnection({ pubsub: true, silence: 2 }) };
  h = await startVendorEngine(files, salesforceEnv(sf));
  sf.store.insert('Account', { Id: '001900000000001AAA', Name: 'Account 1' });
  await waitFor(() => h!.received('changes').length === 1, 'the stream under way');
  type Health = { failedRounds: number; lastFailure?: { message: string } };
  const health = async () => {
    const status = (await h!.engine.status()) as { integrations: { name: string; sourceHealth?: Health }[] };
    return status.integrations.find((i) => i.name === 'account-changes')?.sourceHealth;
  };
  // Idle but alive: each keepalive stores its replay id; twelve of them span more than the 2 s.
  const nc = await connect({ servers: h.nats.url });
  const cursors = await new Kvm(nc).open(BUCKET_NAMES.cursors);
  const writes = async () => (await cursors.get('account-changes'))?.revision ?? 0;
  const before = await writes();
  await waitFor(async () => (await writes()) >= before + 12, 'keepalives stored');
  await nc.close();
  expect(await health()).toMatchObject({ failedRounds: 0 });
  expect((await health())?.lastFailure).toBeUndefined();
  expect(sf.pubsubSubscriptions()).toEqual({ open: 1, peak: 1 });
  // The connection is lost without a reset: the open stream stays open and nothing more comes through it.
  sf.pubsubStall();
  sf.store.insert('Account', { Id: '001900000000002AAA', Name: 'Account 2' });
  await waitFor(() => h!.received('changes').some((c) => c.record === '001900000000002AAA'), 'the change delivered');
  expect((await health())?.lastFailure?.message).toBe(
    'no message from the Pub/Sub API for 2 s (Salesforce sends a keepalive within 270 s): the subscription is taken for lost and opened again',
  );
});

it('a subscription that keeps failing shows in the status: failing, the rounds in a row and the error', async () => {
  const org = await start();
  org.store.insert('Account', { Id: '001900000000001AAA', Name: 'Account 1' });
  await waitFor(() => h!.received('changes').length >= 1, 'the stream under way');
  // Salesforce gone: every subscription from now on fails.
  await org.stop();
  sf = undefined;
  type Health = { failedRounds: number; lastSuccessAt?: string; lastFailure?: { message: string } };
  let integration: { status?: string; sourceHealth?: Health } | undefined;
  await waitFor(
    async () => {
      const status = (await h!.engine.status()) as { integrations: { name: string; sourceHealth?: Health }[] };
      integration = status.integrations.find((i) => i.name === 'account-changes');
      return (integration?.sourceHealth?.failedRounds ?? 0) >= 2;
    },
    'two failed subscriptions in the status',
    60_000,
  );
  expect(integration!.status).toBe('failing');
  expect(integration!.sourceHealth!.lastSuccessAt).toMatch(/^\d{4}-/);
  // Reconnecting to the Pub/Sub API or, before it, asking the REST API who the user is.
  expect(integration!.sourceHealth!.lastFailure!.message).toMatch(
    /^sf: ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+$|UNAVAILABLE/,
  );
}, 90_000);
