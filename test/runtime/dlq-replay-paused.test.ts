/**
 * A replay into a paused integration (`junction pause`), on a real nats-server: refused over the operator API (409
 * `integration-paused`, naming who paused it, when, why and the resume command), the CLI over NATS and over the API,
 * and the dashboard's route alike. The entry stays open and unclaimed, nothing is published or sent to the target
 * (before, the entry said "replayed" while its event waited behind the pause). Once resumed, the same replay is
 * delivered once and the entry is marked replayed.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rawRequest } from '../security/helpers/raw-request.js';
import { auditTrail, junction } from '../ops/cli-in-process.js';
import { cliActor } from '../../engine/cli/operator/cli-nats.js';
import { brokerBacklog, expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
});

afterAll(async () => {
  await h?.dispose();
});

const writes = (key: string) => h.target.requests.filter((r) => r.key === key && r.method === 'PUT' && r.body);

it('refuses to replay into a paused integration, says who paused it and how to resume, and replays after resume', async () => {
  h.target.fault = (req) => (req.body && req.key === '31' ? { respond: { status: 422 } } : undefined);
  expect((await h.post('orders', { id: 31, seq: 1, status: 'new' })).status).toBe(202);
  let id = '';
  await waitFor(async () => {
    id = (await h.engine.deadLetters.list({ status: 'open' })).find((e) => e.key === '31')?.id ?? '';
    return id !== '';
  }, 'order 31 dead-lettered');
  h.target.fault = undefined;
  await expectDrained(h.nats.url);
  const nats = ['--nats', h.nats.url];
  expect((await junction('pause', 'orders', '--reason', 'ERP upgrade', ...nats)).code).toBe(0);
  const { stored } = await brokerBacklog(h.nats.url);

  const refused = await rawRequest(`${h.engine.operatorUrl}/api/dlq/${id}/replay`, { method: 'POST' });

  const actor = /^cli:\S+$/;
  const why = (at: string) =>
    `integration orders is paused \\(by cli:\\S+ at ${at.replace(/\./g, '\\.')}: "ERP upgrade"\\): a replay now ` +
    'would only wait in the events stream behind the pause, its entry marked replayed before anything is ' +
    'delivered; the entry stays open: resume the integration first \\(junction resume orders\\), then replay it';
  expect(refused.status).toBe(409);
  expect(refused.json).toMatchObject({
    error: 'integration-paused',
    paused: { by: { kind: 'cli', id: expect.any(String) }, reason: 'ERP upgrade' },
  });
  const at = (refused.json?.paused as { at: string }).at;
  expect(refused.json?.message).toMatch(new RegExp(`^dead letter ${id} was not replayed: ${why(at)}$`));
  // The pausing user in the same words in `junction status` as in the refusal: its kind, the CLI's user@host.
  const user = cliActor().id;
  expect(refused.json?.message).toContain(`(by cli:${user} at ${at}: "ERP upgrade")`);
  const statusLine = `paused by cli:${user} at ${at}: "ERP upgrade"`;
  let shown = '';
  await waitFor(async () => {
    shown = (await junction('status', '--url', h.engine.operatorUrl!)).stdout;
    return shown.includes('paused by');
  }, 'status shows the pause');
  expect(shown.split('\n').map((line) => line.trim())).toContain(statusLine);
  const overNats = await junction('dlq', 'replay', id, ...nats);
  expect(overNats).toMatchObject({ code: 1, stderr: '1 of 1 not replayed\n' });
  expect(overNats.stdout).toMatch(new RegExp(`^${id}  integration-paused \\(${why(at)}\\)\n$`));
  const overApi = await junction('dlq', 'replay', '--all', '--url', h.engine.operatorUrl!);
  expect(overApi).toMatchObject({
    code: 1,
    stderr: '1 open dead letter: 0 replayed, 1 not replayed (1 integration-paused)\n',
  });
  expect(overApi.stdout).toMatch(new RegExp(`^${id}  integration-paused \\(${why(at)}\\)\n$`));

  // Nothing was claimed, published or sent: the entry is as it was, open.
  const { entry } = (await h.engine.deadLetters.get(id))!;
  expect(entry.status).toBe('open');
  expect(entry.replayStartedAt).toBeUndefined();
  expect((await brokerBacklog(h.nats.url)).stored).toBe(stored);
  expect(writes('31')).toHaveLength(1);
  const replays = (await auditTrail(h.nats.url)).filter((e) => e.action === 'dlq.replay');
  expect(replays).toHaveLength(3);
  for (const e of replays) {
    expect(e).toMatchObject({ target: id, result: 'failed', detail: { outcome: 'integration-paused' } });
    expect((e.detail as { pausedBy: string }).pausedBy).toMatch(actor);
  }

  expect((await junction('resume', 'orders', ...nats)).code).toBe(0);
  const again = await junction('dlq', 'replay', id, ...nats);
  expect(again.stdout).toMatch(new RegExp(`^${id}  replayed \\(stream seq \\d+\\)\n$`));
  await waitFor(() => h.target.records.has('31'), 'order 31 delivered by the replay after resume');
  await expectDrained(h.nats.url);
  expect(writes('31')).toHaveLength(2);
  expect((await h.engine.deadLetters.get(id))!.entry.status).toBe('replayed');
});
