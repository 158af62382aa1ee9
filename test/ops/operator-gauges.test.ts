/**
 * What an operator sees of an engine and its broker: the gauges alerted on without counter arithmetic (open dead
 * letters per integration, 0 included, so the first dead letter after a restart is a change Prometheus sees, where a
 * counter series born at 1 shows no increase; whether the engine is connected to NATS), and `junction status` while
 * the broker is down, which says so instead of showing lag 0 and no dead letters as if all were well.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startRuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { junction } from './cli-in-process.js';

let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
});
afterAll(() => h?.dispose());

const scrape = async () => (await fetch(`${h.engine.operatorUrl}/metrics`)).text();
const sample = async (series: string) => {
  const line = (await scrape()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

it('serves open dead letters per integration, 0 before the first, and back to 0 once resolved', async () => {
  const text = await scrape();
  expect(text).toContain('# TYPE junction_dead_letters_open gauge');
  expect(text).toMatch(/^junction_dead_letters_open\{integration="orders"\} 0$/m);

  h.target.fault = (req) =>
    req.body ? { respond: { status: 422, body: { message: 'sku 9 is unknown' } } } : undefined;
  expect((await h.post('orders', { id: 9, seq: 1, status: 'new' })).status).toBe(202);
  await expect.poll(() => sample('junction_dead_letters_open{integration="orders"}'), { timeout: 15_000 }).toBe(1);
  h.target.fault = undefined;

  const { entries } = (await (await fetch(`${h.engine.operatorUrl}/api/dlq?integration=orders`)).json()) as {
    entries: { id: string }[];
  };
  const resolved = await fetch(`${h.engine.operatorUrl}/api/dlq/${entries[0]!.id}/resolve`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'fixed by hand' }),
  });
  expect(resolved.status).toBe(200);
  await expect.poll(() => sample('junction_dead_letters_open{integration="orders"}'), { timeout: 10_000 }).toBe(0);
});

const CUT_OFF =
  'WARNING         this engine is cut off from NATS: webhooks get 503 and nothing is delivered; ' +
  'lag, dead letters and waiting are not known until it reconnects (docs/operations.md, "the broker (NATS) is down")';

it('serves junction_nats_connected, and junction status says the engine is cut off while the broker is down', async () => {
  expect(await scrape()).toContain('# TYPE junction_nats_connected gauge');
  expect(await sample('junction_nats_connected')).toBe(1);
  expect((await junction('status', '--url', h.engine.operatorUrl!)).stdout).not.toContain('cut off from NATS');
  await h.nats.stop();
  await expect.poll(() => sample('junction_nats_connected'), { timeout: 20_000 }).toBe(0);
  const status = await junction('status', '--url', h.engine.operatorUrl!);
  expect(status.code).toBe(0);
  expect(status.stdout.split('\n')).toContain(CUT_OFF);
  await h.nats.restart();
  await expect.poll(() => sample('junction_nats_connected'), { timeout: 30_000 }).toBe(1);
});
