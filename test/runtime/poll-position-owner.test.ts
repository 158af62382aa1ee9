/**
 * A schedule position belongs to the query that read it: a spec edit that makes the source select other records
 * (here its body) starts afresh at `initial_cursor`, and `junction check` says so before the edit is deployed; an
 * edit of how often it polls keeps the position. Real engine, real nats-server, the fake target.
 */
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it } from 'vitest';
import { BUCKET_NAMES } from '../../engine/runtime/broker/provision.js';
import { runChecks } from '../../engine/ops/check/run-checks.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

/** The poll integration, asking for one region's records every `every`. */
const pollOf = (region: string, every = '100ms') =>
  integrationYaml({
    name: 'poll',
    source: `{ schedule: { connection: target, operation: records.search, params: { after: "$cursor" }, body: '{ "region": "${region}" }', every: ${every}, records: items, cursor: updated, initial_cursor: "0" } }`,
    body: '{ "key": $string(id), "seq": updated }',
  });

it('starts afresh when the query changes, keeps the position when only the interval does', async () => {
  h = await startRuntimeHarness({ integrations: [pollOf('EU')] });
  const nc = await connect({ servers: h.nats.url });
  try {
    const cursors = await new Kvm(nc).open(BUCKET_NAMES.cursors);
    const storedCursor = async () => (await cursors.get('poll'))?.json<{ cursor?: string }>().cursor;
    const polls = () => h!.target.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    h.target.source = [1, 2, 3].map((n) => ({ cursor: n, record: { id: n, updated: n } }));
    await waitFor(async () => (await storedCursor()) === '3', 'cursor moved to 3');

    await h.engine.applySpecSet(compileRuntimeSpecs(h.target.url, [pollOf('EU', '150ms')], { commit: 'c2' }));
    const slower = polls().length;
    await waitFor(() => polls().length >= slower + 3, 'three polls at the new interval');
    expect(new Set(polls().slice(slower + 1))).toEqual(new Set(['/source?after=3&region=EU']));

    const us = compileRuntimeSpecs(h.target.url, [pollOf('US')], { commit: 'c3' });
    const rows = await runChecks(us, { env: {}, nc, cursors });
    expect(rows.find((r) => r.name === 'poll' && r.check === 'source')).toMatchObject({
      status: 'ok',
      message:
        'cursor 3 belongs to the query as it was (its connection, operation, the params it selects by, its body or ' +
        'its cursor changed): it is not used, the first poll starts at "0"; to go on from the stored cursor, set ' +
        'initial_cursor: "3"',
    });
    await h.engine.applySpecSet(us);
    await waitFor(() => polls().some((p) => p.endsWith('region=US')), 'a poll of the new query');
    expect(polls().find((p) => p.endsWith('region=US'))).toBe('/source?after=0&region=US');
    await waitFor(async () => (await storedCursor()) === '3', 'the new query at 3');
    await waitFor(() => polls().filter((p) => p === '/source?after=3&region=US').length >= 1, 'polled on from 3');
    // Read again, the records are the events already delivered: dropped, no write twice.
    await expectDrained(h.nats.url);
    expect([...h.target.effectiveWrites.values()]).toEqual([1, 1, 1]);
  } finally {
    await nc.close();
  }
});
