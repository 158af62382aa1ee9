/**
 * Hot swap through `engine.applySpecSet`: new integrations start, every finished event records the spec commit it
 * ran with in the ledger, and a retry keeps the version that started it.
 */
import { Kvm } from '@nats-io/kv';
import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { DeliveryLedger } from '../../engine/runtime/stores/delivery-ledger.js';
import type { LedgerEntry } from '../../engine/runtime/stores/delivery-ledger.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { EVENTS_PREFIX, EVENTS_STREAM } from '../../engine/runtime/broker/subjects.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

async function ledgerEntry(integration: string, eventId: string): Promise<LedgerEntry | undefined> {
  const nc = await connect({ servers: h!.nats.url });
  try {
    const kv = await new Kvm(nc).open(BUCKET_NAMES.ledger);
    return (await kv.get(DeliveryLedger.key(integration, `${integration}:${eventId}`)))?.json<LedgerEntry>();
  } finally {
    await nc.close();
  }
}

it('applies a new spec set: new integrations run, events record their commit, retries keep theirs', async () => {
  h = await startRuntimeHarness({
    integrations: [
      integrationYaml({ body: '{ "key": $string(id), "seq": seq, "mapping": "v1" }', initial: '300ms', max: '300ms' }),
    ],
  });
  const v1 = { ...h.specSet, commit: 'c1' };
  await h.engine.applySpecSet(v1);
  h.target.fault = (r) => (r.key === '1' && r.attempt === 1 ? { respond: { status: 503 } } : undefined);
  const first = await h.post('orders', { id: 1, seq: 1 });
  await waitFor(() => h!.target.requests.length === 1, 'first attempt failed');

  const refunds = integrationYaml({
    name: 'refunds',
    steps: `  - id: create\n    connection: target\n    operation: records.create\n    body: '{ "key": "r" & $string(id) }'`,
    owns: '  - { connection: target, object: entry, fields: ["*"] }',
  });
  const orders = integrationYaml({
    body: '{ "key": $string(id), "seq": seq, "mapping": "v2" }',
    owns: '  - { connection: target, object: record, fields: ["*"] }',
  });
  const v2 = compileRuntimeSpecs(h.target.url, [orders, refunds], { commit: 'c2' });
  await h.engine.applySpecSet(v2);
  expect(h.engine.specSet.commit).toBe('c2');
  const second = await h.post('orders', { id: 2, seq: 1 });
  const refund = await h.post('refunds', { id: 3, seq: 1 });
  expect(refund.status).toBe(202);
  await waitFor(() => ['1', '2', 'r3'].every((k) => h!.target.records.has(k)), 'all delivered');
  await expectDrained(h.nats.url);

  // The retry of event 1 ran with c1 (it started there); event 2 with c2.
  expect(h.target.records.get('1')).toEqual({ key: '1', seq: 1, mapping: 'v1' });
  expect(h.target.records.get('2')).toEqual({ key: '2', seq: 1, mapping: 'v2' });
  expect(await ledgerEntry('orders', String(first.body.id))).toMatchObject({
    status: 'delivered',
    commit: 'c1',
    attempts: 2,
  });
  expect(await ledgerEntry('orders', String(second.body.id))).toMatchObject({
    status: 'delivered',
    commit: 'c2',
    attempts: 1,
  });
  expect(await ledgerEntry('refunds', String(refund.body.id))).toMatchObject({ status: 'delivered', commit: 'c2' });
  expect((await h.engine.status()).integrations.map((i) => i.name)).toEqual(['orders', 'refunds']);
});

it('does a swap again in full when it is applied again after the broker refused a new integration its consumers', async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml({})] });
  const nc = await connect({ servers: h.nats.url });
  const jsm = await jetstreamManager(nc);
  // A work-queue stream takes one consumer per subject: this one makes the broker refuse refunds' partition consumers.
  await jsm.consumers.add(EVENTS_STREAM, {
    durable_name: 'blocker',
    filter_subject: `${EVENTS_PREFIX}.refunds.>`,
    ack_policy: AckPolicy.Explicit,
  });
  const refunds = integrationYaml({
    name: 'refunds',
    steps: `  - id: create\n    connection: target\n    operation: records.create\n    body: '{ "key": "r" & $string(id) }'`,
    owns: '  - { connection: target, object: entry, fields: ["*"] }',
  });
  const orders = integrationYaml({ owns: '  - { connection: target, object: record, fields: ["*"] }' });
  const v2 = compileRuntimeSpecs(h.target.url, [orders, refunds], { commit: 'c2' });
  await expect(h.engine.applySpecSet(v2)).rejects.toThrow(/filtered consumer not unique on workqueue stream/);

  await jsm.consumers.delete(EVENTS_STREAM, 'blocker');
  await nc.close();
  // As git sync retries a swap that failed (on its next heartbeat): before, it compared v2 with v2, found refunds
  // there already and never created its consumers, so its events waited until a restart.
  await h.engine.applySpecSet(v2);
  expect((await h.post('refunds', { id: 3, seq: 1 })).status).toBe(202);
  await waitFor(() => h!.target.records.has('r3'), 'the refund delivered');
  await expectDrained(h.nats.url);
});
