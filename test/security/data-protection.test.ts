/**
 * Issue 14, item 2, and issue 15, item 7 (data protection): dead letters hold customer data, so they expire (30 days
 * by default), can be resolved, discarded and purged with a reason (audited), and a viewer sees their shape, never
 * their content.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, nanos } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { junction } from './helpers/junction.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness;
let viewer: string;
let operator: string;

const CUSTOMER = { id: 0, seq: 1, status: 'new', email: 'ada@example.com', lines: [{ sku: 'MUG-1', qty: 2 }] };

async function deadLetter(id: number): Promise<string> {
  h.target.fault = () => ({ respond: { status: 422, body: { message: 'rejected' } } });
  await h.post('orders', { ...CUSTOMER, id });
  let found: string | undefined;
  await waitFor(async () => {
    found = (await h.engine.deadLetters.list()).find((e) => e.key === String(id))?.id;
    return found !== undefined;
  }, `event ${id} dead-lettered`);
  return found!;
}

const api = (path: string, token: string, body?: unknown) =>
  rawRequest(`${h.engine.operatorUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

async function lastAudit(): Promise<Record<string, unknown>> {
  return (await h.engine.actions.audit.recent({ limit: 1 }))[0].entry as unknown as Record<string, unknown>;
}

beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()], engine: { operator: { auth: 'token' } } });
  viewer = (await junction(['token', 'create', 'wall', '--role', 'viewer', '--nats', h.nats.url])).stdout.trim();
  operator = (await junction(['token', 'create', 'ops', '--role', 'operator', '--nats', h.nats.url])).stdout.trim();
});

afterAll(async () => {
  await h?.dispose();
});

describe('retention', () => {
  it('keeps dead letters 30 days by default (the DLQ bucket max_age)', async () => {
    const nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
    try {
      const info = await (await jetstreamManager(nc)).streams.info('KV_junction_dlq');
      expect(info.config.max_age).toBe(nanos(30 * 24 * 3600_000));
    } finally {
      await nc.close();
    }
  });

  it('deletes an entry once it is older than the retention', async () => {
    const short = await startRuntimeHarness({ integrations: [integrationYaml()], tuning: { dlqRetentionMs: 1500 } });
    try {
      short.target.fault = () => ({ respond: { status: 422 } });
      await short.post('orders', { id: 5, seq: 1, status: 'new' });
      await waitFor(async () => (await short.engine.deadLetters.list()).length === 1, 'dead-lettered');
      const [entry] = await short.engine.deadLetters.list();
      await waitFor(async () => (await short.engine.deadLetters.get(entry.id)) === undefined, 'expired', 15_000);
      expect(await short.engine.deadLetters.list()).toEqual([]);
    } finally {
      await short.dispose();
    }
  });
});

describe('viewer masking', () => {
  it('shows a viewer the shape and the error, never the event content; an operator sees it', async () => {
    const id = await deadLetter(21);
    const seen = await api(`/api/dlq/${id}`, viewer);
    expect(seen.json).toMatchObject({
      id,
      error: { code: 'validation', status: 422 },
      event: {
        id: '[masked]',
        seq: '[masked]',
        status: '[masked]',
        email: '[masked]',
        lines: [{ sku: '[masked]', qty: '[masked]' }],
      },
      request: { body: { key: '[masked]', seq: '[masked]', status: '[masked]' } },
    });
    expect(seen.text).not.toContain('ada@example.com');
    const listed = await api('/api/dlq', viewer);
    expect(listed.text).not.toContain('ada@example.com');
    expect((await api(`/api/dlq/${id}`, operator)).json).toMatchObject({ event: { email: 'ada@example.com' } });
  });
});

describe('resolve, discard, purge', () => {
  it('discards one entry with a reason, audited with where it was but not what it held', async () => {
    const id = await deadLetter(31);
    expect((await api(`/api/dlq/${id}/discard`, operator, {})).status).toBe(400);
    expect((await api(`/api/dlq/${id}/discard`, viewer, { reason: 'x' })).status).toBe(403);
    const res = await api(`/api/dlq/${id}/discard`, operator, { reason: 'test order, customer asked' });
    expect(res).toMatchObject({ status: 200, json: { discarded: id } });
    expect(await h.engine.deadLetters.get(id)).toBeUndefined();
    expect((await api(`/api/dlq/${id}`, operator)).status).toBe(404);
    expect(await lastAudit()).toMatchObject({
      actor: { kind: 'token', id: 'ops' },
      action: 'dlq.discard',
      target: id,
      result: 'ok',
      reason: 'test order, customer asked',
      detail: { integration: 'orders', key: '31' },
    });
  });

  it('resolves an entry from the CLI: marked handled with who and why, never replayed after', async () => {
    const id = await deadLetter(41);
    const resolved = await junction(['dlq', 'resolve', id, '--reason', 'fixed in M3 by hand', '--nats', h.nats.url]);
    expect(resolved).toMatchObject({ code: 0, stdout: `${id}  resolved\n` });
    const entry = (await h.engine.deadLetters.get(id))!.entry;
    expect(entry).toMatchObject({
      status: 'resolved',
      resolution: { by: expect.stringMatching(/^cli:.+@.+$/), reason: 'fixed in M3 by hand', at: expect.any(String) },
    });
    expect(await lastAudit()).toMatchObject({
      actor: { kind: 'cli' },
      action: 'dlq.resolve',
      target: id,
      result: 'ok',
    });
    const again = await junction(['dlq', 'resolve', id, '--reason', 'again', '--nats', h.nats.url]);
    expect(again).toMatchObject({ code: 1, stdout: `${id}  already-resolved\n` });
    expect((await junction(['dlq', 'resolve', id, '--nats', h.nats.url])).stderr).toContain("'--reason <text>'");
    const listed = await junction(['dlq', 'list', '--status', 'resolved', '--json', '--nats', h.nats.url]);
    expect((JSON.parse(listed.stdout) as { id: string }[]).map((e) => e.id)).toEqual([id]);
  });

  it('purges every entry of an integration through the API with the CLI, one audit entry with the count', async () => {
    const ids = [await deadLetter(51), await deadLetter(52)];
    const env = { JUNCTION_URL: h.engine.operatorUrl, JUNCTION_TOKEN: operator };
    const purged = await junction(
      ['dlq', 'purge', '--integration', 'orders', '--reason', 'GDPR erasure', '--yes'],
      env,
    );
    expect(purged.code).toBe(0);
    for (const id of ids) expect(purged.stdout).toContain(`${id}  discarded\n`);
    expect(await h.engine.deadLetters.list({ integration: 'orders' })).toEqual([]);
    expect(await lastAudit()).toMatchObject({
      actor: { kind: 'token', id: 'ops' },
      action: 'dlq.purge',
      target: 'orders',
      reason: 'GDPR erasure',
      result: 'ok',
      detail: { count: purged.stdout.trim().split('\n').length },
    });
    expect((await junction(['dlq', 'purge', '--reason', 'x'], env)).stderr).toBe(
      'junction: dlq purge needs --integration and/or --before\n',
    );
  });
});
