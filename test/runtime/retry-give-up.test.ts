/**
 * The operator's actions on an event retrying with backoff (its key parked), on a real nats-server and the real
 * operator API and CLI: give up now (dead-lettered with reason `operator-gave-up`, who and why in the entry, the
 * error of its last attempt kept, the key's later events delivered next in order) and retry now (the next attempt
 * runs at once instead of after its 10-minute backoff). Both audited; both refused with the reason when the key has
 * no retrying event, or another event than the one the operator saw is retried by now.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { rawRequest } from '../security/helpers/raw-request.js';
import { auditTrail, junction } from '../ops/cli-in-process.js';
import { expectDrained, startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';
import { retryingListed } from './helpers/retrying-listed.js';

let h: RuntimeHarness;

beforeAll(async () => {
  // A backoff no test waits out: only an operator's order moves these keys on.
  h = await startRuntimeHarness({ integrations: [integrationYaml({ maxAttempts: 10, initial: '10m', max: '10m' })] });
});

afterAll(async () => {
  await h?.dispose();
});

const post = (path: string, body: unknown) =>
  rawRequest(`${h.engine.operatorUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const writes = (key: string) =>
  h.target.requests.filter((r) => r.key === key && r.method === 'PUT' && r.body).map((r) => r.body!.seq);

it('gives up on the retrying event now: dead-lettered as operator-gave-up, the later events delivered in order', async () => {
  h.target.fault = (req) => (req.key === '41' && req.body?.seq === 1 ? { respond: { status: 503 } } : undefined);
  for (const seq of [1, 2, 3]) expect((await h.post('orders', { id: 41, seq, status: `s${seq}` })).status).toBe(202);
  const listed = await retryingListed(h.engine.operatorUrl!, '41');
  expect(listed).toMatchObject({
    integration: 'orders',
    key: '41',
    attempts: 1,
    lastError: { status: 503, step: 'write' },
  });
  await waitFor(
    async () => (await retryingListed(h.engine.operatorUrl!, '41')).queued === 2,
    'events 2 and 3 queued behind event 1',
  );
  // Its next attempt is 10 minutes after the first.
  expect(Date.parse(listed.nextAttemptAt!) - Date.parse(listed.lastAttemptAt!)).toBeGreaterThanOrEqual(600_000 * 0.5);

  const wrong = await post('/api/retrying/give-up', { integration: 'orders', key: '41', eventId: 'nope', reason: 'x' });
  expect(wrong.status).toBe(409);
  expect(wrong.json).toEqual({
    error: 'changed',
    message:
      `the event retried under key "41" of integration orders is now ${listed.eventId}, not nope: the one you saw ` +
      'finished; look again (`junction retry list --integration orders`)',
  });

  const reason = 'record deleted in the ERP (ticket OPS-12)';
  const given = await post('/api/retrying/give-up', {
    integration: 'orders',
    key: '41',
    eventId: listed.eventId,
    reason,
  });

  expect(given.status).toBe(200);
  const dlqId = given.json?.dlqId as string;
  expect(given.json).toEqual({
    gaveUp: listed.eventId,
    dlqId,
    queued: 2,
    message: `event ${listed.eventId} dead-lettered as ${dlqId} (reason operator-gave-up); 2 later events of the key now run in order`,
  });
  const { entry } = (await h.engine.deadLetters.get(dlqId))!;
  expect(entry).toMatchObject({
    integration: 'orders',
    key: '41',
    eventId: listed.eventId,
    event: { id: 41, seq: 1, status: 's1' },
    reason: 'operator-gave-up',
    gaveUp: { by: 'user:anonymous', reason },
    attempts: 1,
    status: 'open',
    error: { code: listed.lastError!.code, status: 503 },
    step: 'write',
  });
  await waitFor(() => writes('41').length === 3, 'events 2 and 3 delivered');
  // Event 1 once (its failed attempt), then 2 and 3 in order; no second attempt of 1.
  expect(writes('41')).toEqual([1, 2, 3]);
  expect(h.target.records.get('41')).toMatchObject({ seq: 3, status: 's3' });
  await expectDrained(h.nats.url);

  const again = await post('/api/retrying/give-up', { integration: 'orders', key: '41', reason: 'again' });
  expect(again.status).toBe(409);
  expect(again.json).toEqual({
    error: 'not-retrying',
    message:
      'key "41" of integration orders has no event being retried: nothing to give up (it was delivered or ' +
      'dead-lettered already, or never failed; see `junction trace orders 41`)',
  });
  const trail = (await auditTrail(h.nats.url)).filter((e) => e.action === 'retry.give-up');
  expect(trail).toEqual([
    {
      actor: { kind: 'user', id: 'anonymous' },
      action: 'retry.give-up',
      target: 'orders key 41',
      result: 'failed',
      reason: 'x',
      detail: { outcome: 'changed', eventId: listed.eventId },
    },
    {
      actor: { kind: 'user', id: 'anonymous' },
      action: 'retry.give-up',
      target: 'orders key 41',
      result: 'ok',
      reason,
      detail: { outcome: 'given-up', eventId: listed.eventId, dlqId, queued: 2 },
    },
    {
      actor: { kind: 'user', id: 'anonymous' },
      action: 'retry.give-up',
      target: 'orders key 41',
      result: 'failed',
      reason: 'again',
      detail: { outcome: 'not-retrying' },
    },
  ]);
});

it('retries now over the CLI: the next attempt runs at once, not after its backoff; refused once it is delivered', async () => {
  let down = true;
  h.target.fault = (req) => (req.key === '42' && down ? { respond: { status: 503 } } : undefined);
  expect((await h.post('orders', { id: 42, seq: 1, status: 'new' })).status).toBe(202);
  const listed = await retryingListed(h.engine.operatorUrl!, '42');
  const nats = ['--nats', h.nats.url];
  const list = await junction('retry', 'list', '--integration', 'orders', ...nats);
  expect(list.stdout).toBe(
    `orders  key=42  event=${listed.eventId}  attempts=1  ${listed.lastError!.code} 503  queued=0  ` +
      `next ${listed.nextAttemptAt}\n`,
  );
  expect(list.stderr).toBe('1 retrying key\n');
  down = false;

  const now = await junction('retry', 'now', 'orders', '42', '--reason', 'ERP back up', ...nats);

  expect(now).toMatchObject({
    code: 0,
    stdout: `attempt 2 of event ${listed.eventId} starts now (see \`junction trace orders 42\`)\n`,
  });
  await waitFor(() => h.target.records.has('42'), 'order 42 delivered by the attempt retry now started');
  expect(writes('42')).toEqual([1, 1]);
  await expectDrained(h.nats.url);
  const refused = await junction('retry', 'now', 'orders', '42', ...nats);
  expect(refused).toEqual({
    code: 1,
    stdout: '',
    stderr:
      'key "42" of integration orders has no event being retried: nothing to retry (it was delivered or ' +
      'dead-lettered already, or never failed; see `junction trace orders 42`)\n',
  });
  const trail = (await auditTrail(h.nats.url)).filter((e) => e.action === 'retry.now');
  expect(trail).toEqual([
    {
      actor: { kind: 'cli', id: expect.any(String) },
      action: 'retry.now',
      target: 'orders key 42',
      result: 'ok',
      reason: 'ERP back up',
      detail: { outcome: 'retrying-now', eventId: listed.eventId, attempt: 2 },
    },
    {
      actor: { kind: 'cli', id: expect.any(String) },
      action: 'retry.now',
      target: 'orders key 42',
      result: 'failed',
      detail: { outcome: 'not-retrying' },
    },
  ]);
  expect(await h.engine.deadLetters.list({ status: 'open' })).toHaveLength(1);
});
