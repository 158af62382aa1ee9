/**
 * A replay resumes from the checkpoints its event's attempts left, keyed by step id and kept as long as the ledger.
 * A finished create whose checkpoint a replay cannot read (the step renamed since, or the checkpoint expired) would
 * be sent again and make a second record: such a replay is refused (`steps-changed`) unless forced.
 */
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { listKvKeys } from '../../engine/runtime/broker/kv-listing.js';
import { keyDigest } from '../../engine/runtime/broker/subjects.js';
import { junction } from './helpers/junction.js';
import { openDeadLetter } from './helpers/open-dead-letter.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** An order head created (with its look-up by reference), then the order written with the head's id. */
const orders = (head: string, warehouse: string) =>
  integrationYaml({
    steps: `  - id: ${head}
    connection: target
    operation: records.create
    body: '{ "key": "head-" & $string(id) }'
    find:
      operation: records.find
      body: '{ "key": $body.key }'
      match: 'items[key = $body.key]'
  - id: write
    connection: target
    operation: records.upsert
    body: '{ "key": $string(id), "warehouse": "${warehouse}", "head": $steps.${head}.id }'`,
  });

it('refuses to replay an event whose finished create step was renamed since, and resumes once it has its id back', async () => {
  h = await startRuntimeHarness({ integrations: [orders('create', 'W9')] });
  h.target.fault = (r) => (r.body?.warehouse === 'W9' ? { respond: { status: 422 } } : undefined);
  await h.post('orders', { id: 1 });
  const dead = await openDeadLetter(h, '1');
  // The fix of the warehouse comes with a cosmetic rename of the create step.
  await h.engine.applySpecSet(compileRuntimeSpecs(h.target.url, [orders('head', 'W1')], { commit: 'c2' }));

  const refused = await rawRequest(`${h.engine.operatorUrl}/api/dlq/${dead.id}/replay`, { method: 'POST' });
  expect(refused.status).toBe(409);
  expect(refused.json).toEqual({
    error: 'steps-changed',
    message:
      'the event finished step create, which the active spec set no longer has (renamed or removed): a replay would ' +
      'run them again (a create would make a second record); give a renamed step its old id back; replay with ' +
      '?force=1 to run them again',
    steps: ['create'],
    expired: [],
  });
  const cli = await junction(['dlq', 'replay', dead.id, '--url', h.engine.operatorUrl!]);
  expect(cli.code).toBe(1);
  expect(cli.stdout).toBe(
    `${dead.id}  steps-changed (the event finished step create, which the active spec set no longer has (renamed ` +
      'or removed): a replay would run them again (a create would make a second record); give a renamed step its ' +
      'old id back; --force replays anyway)\n',
  );
  const [audited] = await h.engine.actions.audit.recent({ limit: 1 });
  expect(audited.entry).toMatchObject({ action: 'dlq.replay', result: 'failed', detail: { stepsGone: ['create'] } });
  expect((await h.engine.deadLetters.get(dead.id))?.entry.status).toBe('open');

  await h.engine.applySpecSet(compileRuntimeSpecs(h.target.url, [orders('create', 'W1')], { commit: 'c3' }));
  expect((await rawRequest(`${h.engine.operatorUrl}/api/dlq/${dead.id}/replay`, { method: 'POST' })).status).toBe(202);
  await waitFor(() => h!.target.records.get('1')?.warehouse === 'W1', 'the order written by the replay');
  await expectDrained(h.nats.url);
  // One head: the replay resumed after the create.
  expect(h.target.requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ key: 'head-1' }]);
  expect(h.target.records.get('1')).toEqual({ key: '1', warehouse: 'W1', head: 'rec-1' });
});

it('refuses to replay an event whose finished create lost its checkpoint (expired), naming the step', async () => {
  h = await startRuntimeHarness({ integrations: [orders('create', 'W9')] });
  h.target.fault = (r) => (r.body?.warehouse === 'W9' ? { respond: { status: 422 } } : undefined);
  await h.post('orders', { id: 2 });
  const dead = await openDeadLetter(h, '2');
  const entry = (await h.engine.deadLetters.get(dead.id))!.entry;
  expect(entry.finished).toEqual(['create']);
  // What the checkpoints' TTL (7 days) does to a dead letter older than that (dead letters are kept 30 days).
  const nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
  const checkpoints = await new Kvm(nc).open(BUCKET_NAMES.checkpoints);
  const keys = await listKvKeys(checkpoints, `orders.${keyDigest(`orders:${entry.eventId}`)}.>`);
  expect(keys.length).toBeGreaterThan(0);
  for (const key of keys) await checkpoints.purge(key);
  await nc.close();
  await h.engine.applySpecSet(compileRuntimeSpecs(h.target.url, [orders('create', 'W1')], { commit: 'c2' }));

  const refused = await rawRequest(`${h.engine.operatorUrl}/api/dlq/${dead.id}/replay`, { method: 'POST' });
  expect(refused.status).toBe(409);
  expect(refused.json).toEqual({
    error: 'steps-changed',
    message:
      "the checkpoints of the event's finished step create expired (kept as long as the ledger, 7 days by default): " +
      'a replay would run them again (a create would make a second record); check what the first run made on the ' +
      'target (resolve the entry if it is done); replay with ?force=1 to run them again',
    steps: [],
    expired: ['create'],
  });
  await expectDrained(h.nats.url);
  expect(h.target.requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ key: 'head-2' }]);
  expect((await h.engine.deadLetters.get(dead.id))?.entry.status).toBe('open');
});
