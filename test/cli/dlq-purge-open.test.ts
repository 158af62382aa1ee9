/**
 * `junction dlq purge` and open dead letters: an open entry's event was never delivered and can still be replayed, so
 * a purge that would discard open ones is refused (exit 2, nothing purged) unless `--yes`, saying how many and what to
 * run; `--status` purges only the entries in that status. Over NATS and over the operator API alike. Real engine
 * and nats-server, the real command.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { junction } from '../ops/cli-in-process.js';
import { rawRequest } from '../security/helpers/raw-request.js';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';

let h: RuntimeHarness;
const ids: Record<string, string> = {};
beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  h.target.fault = () => ({ respond: { status: 422 } });
  for (const id of [1, 2, 3]) expect((await h.post('orders', { id, seq: 1, status: 'new' })).status).toBe(202);
  await waitFor(async () => (await h.engine.deadLetters.list()).length === 3, 'three dead-lettered', 30_000);
  for (const e of await h.engine.deadLetters.list()) ids[e.key] = e.id;
  const resolved = await junction('dlq', 'resolve', ids['3'], '--reason', 'fixed by hand', '--nats', h.nats.url);
  expect(resolved.code).toBe(0);
}, 60_000);
afterAll(() => h?.dispose());

const statuses = async () =>
  Object.fromEntries((await h.engine.deadLetters.list()).map((e) => [e.key, e.status] as const));

it('refuses to purge open entries without --yes, purges only --status, and the open ones with --yes', async () => {
  const nats = ['--nats', h.nats.url];
  const refusal =
    'junction: dlq purge would discard 2 open dead letters (never delivered, still replayable: junction dlq list ' +
    '--status open --integration orders); pass --yes to purge them too, or --status replayed or --status resolved ' +
    'to purge only handled ones\n';
  const purge = ['dlq', 'purge', '--integration', 'orders', '--reason', 'cleanup'];
  expect(await junction(...purge, ...nats)).toEqual({ code: 2, stdout: '', stderr: refusal });
  expect(await junction(...purge, '--url', h.engine.operatorUrl!)).toEqual({ code: 2, stdout: '', stderr: refusal });
  expect(await junction(...purge, '--status', 'open', ...nats)).toEqual({ code: 2, stdout: '', stderr: refusal });
  const badStatus = await rawRequest(`${h.engine.operatorUrl}/api/dlq/purge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ reason: 'cleanup', integration: 'orders', status: 'done' }),
  });
  expect([badStatus.status, badStatus.json]).toEqual([
    400,
    { error: 'bad-request', message: '"status" must be one of open, replayed, resolved, got "done"' },
  ]);
  expect(await statuses()).toEqual({ 1: 'open', 2: 'open', 3: 'resolved' });

  expect(await junction(...purge, '--status', 'resolved', ...nats)).toEqual({
    code: 0,
    stdout: `${ids['3']}  discarded\n`,
    stderr: '1 dead letter purged\n',
  });
  expect(await statuses()).toEqual({ 1: 'open', 2: 'open' });

  const confirmed = await junction(...purge, '--yes', '--url', h.engine.operatorUrl!);
  expect(confirmed.code).toBe(0);
  expect(confirmed.stdout.split('\n').sort()).toEqual(['', `${ids['1']}  discarded`, `${ids['2']}  discarded`].sort());
  expect(confirmed.stderr).toBe('2 dead letters purged\n');
  expect(await statuses()).toEqual({});
});
