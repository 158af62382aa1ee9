/**
 * `junction dlq` over NATS knows an integration by its retry consumer too: after a broker restart the partition
 * consumers (kept in the broker's memory) are gone until an engine creates them again, and `dlq list --integration`
 * must not then refuse a running integration as a typo. Real nats-server; the engine stopped so that it does not
 * create them again, and the partition consumers deleted as a restart loses them.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { junction } from '../ops/cli-in-process.js';
import { EVENTS_STREAM } from '../../engine/runtime/broker/subjects.js';
import { startRuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';

let h: RuntimeHarness;
beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  await h.engine.stop();
  const nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    const left: string[] = [];
    for await (const c of jsm.consumers.list(EVENTS_STREAM)) left.push(c.name);
    for (const name of left.filter((n) => /^orders-p\d+$/.test(n))) await jsm.consumers.delete(EVENTS_STREAM, name);
    left.length = 0;
    for await (const c of jsm.consumers.list(EVENTS_STREAM)) left.push(c.name);
    expect(left).toEqual(['orders-retry']);
  } finally {
    await nc.close();
  }
}, 60_000);
afterAll(() => h?.dispose());

it('lists no dead letters of an integration whose partition consumers are gone, and names it for a typo', async () => {
  const nats = ['--nats', h.nats.url];
  expect(await junction('dlq', 'list', '--integration', 'orders', ...nats)).toEqual({
    code: 0,
    stdout: '',
    stderr: '0 dead letters\n',
  });
  expect(await junction('dlq', 'list', '--integration', 'ordrs', ...nats)).toEqual({
    code: 2,
    stdout: '',
    stderr:
      'junction: no integration named "ordrs" runs on this cluster or has dead letters; did you mean "orders"? ' +
      '(junction status lists them)\n',
  });
});
