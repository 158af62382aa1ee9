/**
 * `junction pause|resume` and `junction trace` on a real broker: a paused integration keeps storing events and
 * delivers nothing, on every engine, until resumed (then in order); a record's trace lists every attempt with its
 * requests, errors and commit, and its dead letter, from the CLI and from the operator API.
 */
import { afterEach, expect, it } from 'vitest';
import { expectDrained, startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { auditTrail, junction } from './cli-in-process.js';

let h: RuntimeHarness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

type Status = { integrations: { name: string; status?: string; paused?: unknown; lag: number }[] };
const status = async (url: string) => ((await (await fetch(`${url}/api/status`)).json()) as Status).integrations[0];

it('pause stops delivery on every engine while ingest keeps storing; resume delivers the backlog in order', async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  const second = await h.startEngine({ roles: { http: false } });
  const nats = ['--nats', h.nats.url];
  expect(await junction('pause', 'orders', '--reason', 'ERP maintenance', ...nats)).toEqual({
    code: 0,
    stdout: 'orders paused: events are still stored, nothing is delivered until `junction resume orders`\n',
    stderr: '',
  });
  await waitFor(async () => (await status(h!.engine.operatorUrl!)).status === 'paused', 'status paused');
  expect(await status(h.engine.operatorUrl!)).toMatchObject({
    status: 'paused',
    paused: { by: { kind: 'cli' }, reason: 'ERP maintenance' },
  });
  for (const seq of [1, 2, 3]) expect((await h.post('orders', { id: 7, seq, status: `s${seq}` })).status).toBe(202);
  await waitFor(async () => (await status(h!.engine.operatorUrl!)).lag === 3, 'three events stored');
  await new Promise((r) => setTimeout(r, 1000));
  expect(h.target.requests).toEqual([]);

  expect((await junction('resume', 'orders', ...nats)).stdout).toBe(
    'orders resumed: the stored events are delivered in order\n',
  );
  await waitFor(() => h!.target.committedOrder.get('7')?.length === 3, 'backlog delivered');
  expect(h.target.committedOrder.get('7')).toEqual([1, 2, 3]);
  await expectDrained(h.nats.url);
  expect(await status(h.engine.operatorUrl!)).not.toHaveProperty('status');
  expect((await junction('resume', 'orders', ...nats)).stdout).toBe('orders was not paused\n');
  expect(await junction('pause', 'order', ...nats)).toMatchObject({
    code: 2,
    stderr:
      'junction: no integration named "order" runs on this cluster; did you mean "orders"? (junction status lists them)\n',
  });
  expect((await auditTrail(h.nats.url)).map((e) => [e.action, e.target, e.reason, e.detail])).toEqual([
    ['integration.pause', 'orders', 'ERP maintenance', { was: 'running' }],
    ['integration.resume', 'orders', undefined, { was: 'paused' }],
    ['integration.resume', 'orders', undefined, { was: 'running' }],
  ]);
  await second.stop();
});

it("traces a record's attempts, requests and dead letter, in the CLI and the operator API", async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml({ maxAttempts: 5 })] });
  h.target.fault = (r) =>
    r.key === '5' && r.attempt <= 2
      ? { respond: { status: 503, body: { message: 'busy' } } }
      : r.key === '6'
        ? { respond: { status: 422, body: { message: 'status x is not allowed' } } }
        : undefined;
  await h.post('orders', { id: 5, seq: 1, status: 'new' });
  await h.post('orders', { id: 6, seq: 1, status: 'x' });
  await waitFor(() => h!.target.records.has('5'), 'key 5 delivered');
  await waitFor(async () => (await h!.engine.deadLetters.list()).length === 1, 'key 6 dead-lettered');
  await expectDrained(h.nats.url);
  // Traces are written without waiting for the broker: read until all four attempts are there.
  const traced = async (key: string) =>
    JSON.parse((await junction('trace', 'orders', key, '--format', 'json', '--nats', h!.nats.url)).stdout || '{}');
  await waitFor(
    async () => (await traced('5')).attempts?.length === 3 && (await traced('6')).attempts?.length === 1,
    'traced',
  );

  const json = (await traced('5')) as {
    attempts: {
      attempt: number;
      outcome: string;
      commit: string;
      requests: { method: string; path: string; body: unknown }[];
      error?: { code: string; status?: number };
    }[];
    deadLetters: unknown[];
  };
  expect(json.attempts.map((a) => [a.attempt, a.outcome, a.error?.code, a.error?.status, a.commit])).toEqual([
    [1, 'retrying', 'http-5xx', 503, 'working-tree'],
    [2, 'retrying', 'http-5xx', 503, 'working-tree'],
    [3, 'delivered', undefined, undefined, 'working-tree'],
  ]);
  expect(json.attempts[2].requests).toEqual([
    { step: 'write', method: 'PUT', path: '/records/5', body: { key: '5', seq: 1, status: 'new' } },
  ]);
  expect(json.deadLetters).toEqual([]);

  const [entry] = await h.engine.deadLetters.list();
  const text = await junction('trace', 'orders', '6', '--nats', h.nats.url);
  expect(text.stdout).toMatch(
    new RegExp(
      [
        '^event \\S+  stored \\S+Z',
        `  #1  \\S+Z  dead_lettered   commit working-tree  validation 422: .*status x is not allowed.*`,
        '        PUT /records/6',
        '        answer: .*status x is not allowed.*',
        `        dead letter ${entry.id}`,
        `dead letter ${entry.id}  open  validation 422: .*`,
        '$',
      ].join('\\n'),
    ),
  );
  expect(await junction('trace', 'orders', '99', '--nats', h.nats.url)).toMatchObject({
    code: 1,
    stdout: '',
    stderr: 'nothing traced for orders key 99 (traces are kept as long as the ledger)\n',
  });
  // A typo in the integration's name is not a record too old to be traced: it says so.
  expect(await junction('trace', 'order', '6', '--nats', h.nats.url)).toMatchObject({
    code: 1,
    stdout: '',
    stderr:
      'nothing traced for order key 6: no integration named "order" runs on this cluster; did you mean "orders"? ' +
      '(junction status lists them)\n',
  });

  const api = await fetch(`${h.engine.operatorUrl}/api/trace?integration=orders&key=6`);
  expect(api.status).toBe(200);
  expect(await api.json()).toMatchObject({
    integration: 'orders',
    key: '6',
    attempts: [{ outcome: 'dead_lettered', dlqId: entry.id }],
    deadLetters: [{ id: entry.id, status: 'open' }],
  });
  expect((await fetch(`${h.engine.operatorUrl}/api/trace?integration=orders`)).status).toBe(400);
});
