/**
 * The embedded default: with no NATS URL, the engine starts its own nats-server (from PATH) storing under
 * `.junction/nats`, publishes its URL and credentials for `junction dlq`, and removes them when it stops.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startEngine } from '../../engine/runtime/engine.js';
import { resolveNatsTarget } from '../../engine/runtime/broker/embedded-nats.js';
import { startFakeTarget } from './helpers/fake-target.js';
import type { FakeTarget } from './helpers/fake-target.js';
import { httpTestInvoker } from './helpers/http-invoker.js';
import { TEST_TUNING, testLogger, waitFor } from './helpers/runtime-harness.js';
import { compileRuntimeSpecs, integrationYaml } from './helpers/runtime-specs.js';

let root: string | undefined;
let target: FakeTarget | undefined;
afterEach(async () => {
  await target?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

it('starts a private nats-server under .junction when no NATS URL is given', async () => {
  root = await mkdtemp(join(tmpdir(), 'junction-embedded-'));
  target = await startFakeTarget();
  const specSet = compileRuntimeSpecs(target.url, [integrationYaml()]);
  const saved = process.env.JUNCTION_NATS_URL;
  delete process.env.JUNCTION_NATS_URL;
  try {
    const engine = await startEngine({
      specSet,
      invoker: httpTestInvoker,
      embeddedRoot: root,
      port: 0,
      host: '127.0.0.1',
      tuning: TEST_TUNING,
      logger: testLogger(),
    });
    expect(engine.natsUrl).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    const state = JSON.parse(await readFile(join(root, '.junction', 'nats.json'), 'utf8')) as { url: string };
    expect(state.url).toBe(engine.natsUrl);
    expect(await resolveNatsTarget(undefined, root)).toEqual({ url: engine.natsUrl, options: engine.natsOptions });
    expect(existsSync(join(root, '.junction', 'nats', 'jetstream'))).toBe(true);
    const res = await fetch(`${engine.url}/hooks/orders`, {
      method: 'POST',
      body: JSON.stringify({ id: 1, seq: 1, status: 'new' }),
    });
    expect(res.status).toBe(202);
    await waitFor(() => target!.records.has('1'), 'delivered through the embedded server');
    await engine.stop();
    expect(existsSync(join(root, '.junction', 'nats.json'))).toBe(false);
    expect(existsSync(join(root, '.junction', 'nats.lock'))).toBe(false);
  } finally {
    if (saved !== undefined) process.env.JUNCTION_NATS_URL = saved;
  }
});
