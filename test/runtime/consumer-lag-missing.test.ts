/**
 * Lag with a consumer missing: a paused integration's partition consumers (state in the broker's memory) are gone
 * after a broker restart, and no engine creates them again until it resumes. Its stored events still count in its
 * lag, from the stream, and the status names each missing consumer with its events (/api/status, `junction status`
 * in text and JSON, the lag gauge, the dashboard's lag cell). `junction resume` still knows the integration (by its
 * retry consumer, kept on disk), and once resumed the engine creates them again and delivers every event.
 */
import { afterEach, expect, it } from 'vitest';
import { consumerName, partitionOf } from '../../engine/runtime/broker/subjects.js';
import { junction } from '../ops/cli-in-process.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';
import { launchChromium } from '../dashboard/helpers/chromium.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

type Missing = { consumer: string; stored: number };
type Status = {
  integrations: { name: string; lag: number; missingConsumers?: Missing[] }[];
  nats: { connected: boolean };
};
const orders = async () =>
  ((await h!.engine.status()) as unknown as Status).integrations.find((i) => i.name === 'orders')!;

it('a partition whose consumer the broker lost counts its stored events in lag and is named as missing', async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  const nats = ['--nats', h.nats.url];
  expect((await junction('pause', 'orders', ...nats)).code).toBe(0);
  await waitFor(
    async () =>
      ((await h!.engine.status()) as unknown as { integrations: { status?: string }[] }).integrations[0].status ===
      'paused',
    'paused',
  );
  for (let id = 1; id <= 5; id++) expect((await h.post('orders', { id, seq: 1, status: 'new' })).status).toBe(202);
  expect(await orders()).toMatchObject({ lag: 5 });
  expect((await orders()).missingConsumers).toBeUndefined();

  // The broker restarts: consumers kept in memory are gone, and the paused integration's are not created again.
  await h.nats.restart();
  await waitFor(async () => ((await h!.engine.status()) as unknown as Status).nats.connected, 'reconnected', 30_000);
  // Per partition, as ingest routed the keys (the key is the order id).
  const perPartition = new Map<string, number>();
  for (let id = 1; id <= 5; id++) {
    const consumer = consumerName('orders', partitionOf(String(id), 4));
    perPartition.set(consumer, (perPartition.get(consumer) ?? 0) + 1);
  }
  const expected = [0, 1, 2, 3].map((p) => ({
    consumer: consumerName('orders', p),
    stored: perPartition.get(consumerName('orders', p)) ?? 0,
  }));
  await waitFor(async () => (await orders()).missingConsumers !== undefined, 'the missing consumers seen', 30_000);
  expect(await orders()).toMatchObject({ lag: 5, missingConsumers: expected });

  const url = h.engine.operatorUrl!;
  const text = await junction('status', '--url', url);
  expect(text.stdout).toContain('integration     orders  paused       lag 5  dead letters 0\n');
  for (const { consumer, stored } of expected)
    expect(text.stdout).toContain(
      `consumer ${consumer} is missing on the broker (restarted?): its ${stored} stored event${stored === 1 ? '' : 's'} ` +
        '(counted in lag) wait until an engine running the integration creates it again, which it does when its next ' +
        'pull gets no answer\n',
    );
  const json = JSON.parse((await junction('status', '--url', url, '--format', 'json')).stdout) as {
    integrations: Record<string, unknown>[];
  };
  expect(json.integrations[0]).toMatchObject({ name: 'orders', lag: 5, missing_consumers: expected });
  const metrics = await (await fetch(`${url}/metrics`)).text();
  expect(metrics).toMatch(/^junction_consumer_lag\{integration="orders"\} 5$/m);

  // The dashboard's lag cell (real headless Chromium).
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const headers = await page.locator('#integrations thead th').allTextContents();
    const lag = page.locator('#integrations tr[data-integration="orders"] td').nth(headers.indexOf('lag'));
    await expect.poll(() => lag.textContent()).toBe('5 · 4 consumers missing');
    expect(await lag.getAttribute('title')).toBe(
      expected
        .map((m) => `${m.consumer} missing on the broker: ${m.stored} stored event${m.stored === 1 ? '' : 's'} wait`)
        .join('\n'),
    );
  } finally {
    await browser.close();
  }

  expect(await junction('resume', 'orders', ...nats)).toMatchObject({ stderr: '', code: 0 });
  await waitFor(() => h!.target.records.size === 5, 'the backlog delivered', 30_000);
  await expectDrained(h.nats.url);
  expect(await orders()).toMatchObject({ lag: 0 });
  expect((await orders()).missingConsumers).toBeUndefined();
  expect([...h.target.records.keys()].sort()).toEqual(['1', '2', '3', '4', '5']);
});
