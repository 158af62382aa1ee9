/**
 * Issue 14, item 7 (review finding #16): replaying a dead letter older than its record's last delivery would write
 * old data over new. Such a replay is refused unless forced (`--force`, `?force=1`, a confirmation in the UI), the
 * entry is flagged, and both the refusal and the forced replay are audited.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { junction } from './helpers/junction.js';
import { openDeadLetter } from './helpers/open-dead-letter.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness;

beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
});

afterAll(async () => {
  await h?.dispose();
});

const deadLettered = (key: string) => openDeadLetter(h, key);

const replay = (id: string, query = '') =>
  rawRequest(`${h.engine.operatorUrl}/api/dlq/${id}/replay${query}`, { method: 'POST' });

it('refuses to replay v1 over a delivered v2 of the same record unless forced, and flags the entry', async () => {
  h.target.fault = (req) => (req.body && req.key === '7' ? { respond: { status: 422 } } : undefined);
  await h.post('orders', { id: 7, seq: 1, status: 'v1' });
  const v1 = await deadLettered('7');
  h.target.fault = undefined;
  await h.post('orders', { id: 7, seq: 2, status: 'v2' });
  await waitFor(() => h.target.records.get('7')?.status === 'v2', 'v2 delivered');
  const entry = (await h.engine.deadLetters.get(v1.id))!.entry;
  await waitFor(async () => (await h.engine.actions.staleness(entry)) !== undefined, 'v2 in the trace');

  const refused = await replay(v1.id);
  expect(refused.status).toBe(409);
  expect(refused.json).toMatchObject({
    error: 'stale',
    newer: { eventId: expect.any(String), deliveredAt: expect.any(String) },
  });
  expect(String(refused.json!.message)).toContain('replay with ?force=1 to do it anyway');
  expect((refused.json!.newer as { eventId: string }).eventId).not.toBe(v1.eventId);
  expect((await rawRequest(`${h.engine.operatorUrl}/api/dlq/${v1.id}`)).json).toMatchObject({
    status: 'open',
    stale: { eventId: (refused.json!.newer as { eventId: string }).eventId },
  });
  const cli = await junction(['dlq', 'replay', v1.id, '--nats', h.nats.url]);
  expect(cli.code).toBe(1);
  expect(cli.stdout).toMatch(
    new RegExp(`^${v1.id}  stale \\(event \\S+ of the same key was delivered at \\S+; --force replays anyway\\)\\n$`),
  );
  await expectDrained(h.nats.url);
  expect(h.target.records.get('7')?.status).toBe('v2');
  const [latest] = await h.engine.actions.audit.recent({ limit: 1 });
  expect(latest.entry).toMatchObject({
    action: 'dlq.replay',
    target: v1.id,
    result: 'failed',
    detail: { outcome: 'stale' },
  });

  const forced = await junction(['dlq', 'replay', v1.id, '--force', '--nats', h.nats.url]);
  expect(forced.stdout).toMatch(new RegExp(`^${v1.id}  replayed \\(stream seq \\d+\\)\\n$`));
  await waitFor(() => h.target.records.get('7')?.status === 'v1', 'v1 written by the forced replay');
  const [forcedAudit] = await h.engine.actions.audit.recent({ limit: 1 });
  expect(forcedAudit.entry).toMatchObject({ action: 'dlq.replay', result: 'ok', detail: { forced: true } });
});

it('replays without --force when no later event of the record was delivered', async () => {
  h.target.fault = (req) => (req.body && req.key === '8' ? { respond: { status: 422 } } : undefined);
  await h.post('orders', { id: 8, seq: 1, status: 'only' });
  const only = await deadLettered('8');
  h.target.fault = undefined;
  expect((await rawRequest(`${h.engine.operatorUrl}/api/dlq/${only.id}`)).json).not.toHaveProperty('stale');
  expect((await replay(only.id)).status).toBe(202);
  await waitFor(() => h.target.records.get('8')?.status === 'only', 'delivered by the replay');
});

it('refuses to replay v1 over a v2 that was dead-lettered too and replayed first', async () => {
  h.target.fault = (req) => (req.body && req.key === '9' ? { respond: { status: 422 } } : undefined);
  await h.post('orders', { id: 9, seq: 1, status: 'v1' });
  await h.post('orders', { id: 9, seq: 2, status: 'v2' });
  const open = async () => (await h.engine.deadLetters.list()).filter((e) => e.key === '9' && e.status === 'open');
  await waitFor(async () => (await open()).length === 2, 'v1 and v2 dead-lettered');
  const version = (status: string) => async () =>
    (await open()).find((e) => JSON.stringify(e.event).includes(`"status":"${status}"`))!;
  const [v1, v2] = [await version('v1')(), await version('v2')()];
  h.target.fault = undefined;
  // Replayed newest first (the DLQ table lists it first): v2 is delivered by its replay.
  expect((await replay(v2.id)).status).toBe(202);
  await waitFor(() => h.target.records.get('9')?.status === 'v2', 'v2 delivered by its replay');
  const trace = async () =>
    (await rawRequest(`${h.engine.operatorUrl}/api/trace?integration=orders&key=9`)).json as {
      attempts: { replayOf?: string; outcome: string }[];
    };
  await waitFor(
    async () => (await trace()).attempts.some((a) => a.replayOf === v2.id && a.outcome === 'delivered'),
    "v2's replay delivered in the trace",
  );

  const refused = await replay(v1.id);
  expect(refused.status).toBe(409);
  expect(refused.json).toMatchObject({
    error: 'stale',
    newer: { eventId: v2.eventId, deliveredAt: expect.any(String) },
  });
  await expectDrained(h.nats.url);
  expect(h.target.records.get('9')?.status).toBe('v2');
});

it('still flags v1 once its forced replay was dead-lettered again: the new dead letter is as old as v1', async () => {
  h.target.fault = (req) =>
    req.body && req.key === '10' && req.body.status === 'v1' ? { respond: { status: 422 } } : undefined;
  await h.post('orders', { id: 10, seq: 1, status: 'v1' });
  const first = await deadLettered('10');
  await h.post('orders', { id: 10, seq: 2, status: 'v2' });
  await waitFor(() => h.target.records.get('10')?.status === 'v2', 'v2 delivered');
  const entry = (await h.engine.deadLetters.get(first.id))!.entry;
  await waitFor(async () => (await h.engine.actions.staleness(entry)) !== undefined, 'v2 in the trace');
  // Forced, and refused by the target again: a dead letter of the replay.
  expect((await replay(first.id, '?force=1')).status).toBe(202);
  const again = await deadLettered('10');
  expect(again.id).not.toBe(first.id);

  const refused = await replay(again.id);
  expect(refused.status).toBe(409);
  expect(refused.json).toMatchObject({ error: 'stale', newer: { deliveredAt: expect.any(String) } });
  await expectDrained(h.nats.url);
  expect(h.target.records.get('10')?.status).toBe('v2');
});
