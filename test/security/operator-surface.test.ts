/**
 * Issue 14, item 1 (operator surface), as review finding #1, #26 and #27 found it: the dashboard, /api and /metrics
 * were on the public webhook port with no Host check, no cross-origin protection, no framing protection, and dead
 * letter ids computable offline. Each case asserts the safe behaviour against a real engine and nats-server.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine } from '../../engine/runtime/engine.js';
import { OperatorConfigError } from '../../engine/runtime/operator/operator-options.js';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { httpTestInvoker } from '../runtime/helpers/http-invoker.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness;
let deadId: string;

beforeAll(async () => {
  h = await startRuntimeHarness({ integrations: [integrationYaml()] });
  h.target.fault = () => ({ respond: { status: 422, body: { message: 'sku unknown' } } });
  expect((await h.post('orders', { id: 9, seq: 1, status: 'new' })).status).toBe(202);
  await waitFor(async () => (await h.engine.deadLetters.list()).length === 1, 'dead-lettered');
  deadId = (await h.engine.deadLetters.list())[0].id;
  h.target.fault = undefined;
});

afterAll(async () => {
  await h?.dispose();
});

const operator = (path: string) => `${h.engine.operatorUrl}${path}`;
const operatorHost = () => new URL(h.engine.operatorUrl!).host;

describe('two listeners', () => {
  it('the public listener serves webhooks and health only: no dashboard, API or metrics', async () => {
    for (const path of ['/', '/api/dlq', `/api/dlq/${deadId}`, '/api/status', '/metrics', '/dashboard.js'])
      expect((await rawRequest(`${h.engine.url}${path}`)).status, path).toBe(404);
    expect((await rawRequest(`${h.engine.url}/api/dlq/${deadId}/replay`, { method: 'POST' })).status).toBe(404);
    expect((await rawRequest(`${h.engine.url}/healthz`)).json).toEqual({ ok: true });
    expect((await rawRequest(`${h.engine.url}/readyz`)).json).toEqual({ ready: true });
  });

  it('the operator listener is on loopback by default and serves the API there', async () => {
    expect(new URL(h.engine.operatorUrl!).hostname).toBe('127.0.0.1');
    expect(h.engine.operatorUrl).not.toBe(h.engine.url);
    expect((await rawRequest(operator('/api/dlq'))).json).toMatchObject({ entries: [{ id: deadId }] });
  });

  it('refuses to start an unauthenticated operator listener beyond loopback', async () => {
    const start = startEngine({
      specSet: h.specSet,
      invoker: httpTestInvoker,
      natsUrl: h.nats.url,
      port: 0,
      operator: { host: '0.0.0.0' },
    });
    await expect(start).rejects.toThrow(OperatorConfigError);
    await expect(start).rejects.toThrow(
      /refusing to serve the dashboard, \/api and \/metrics without sign-in on 0\.0\.0\.0/,
    );
  });

  it('a malformed percent-escape in a webhook path is a 400, not a 500', async () => {
    const res = await rawRequest(`${h.engine.url}/hooks/%E0%A4%A`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: 'bad-path', message: 'malformed percent-escape' });
  });
});

describe('request guards', () => {
  it('answers 421 to a Host that is not allowed (DNS rebinding) and serves loopback names and IP literals', async () => {
    const port = new URL(h.engine.operatorUrl!).port;
    const rebound = await rawRequest(operator('/api/dlq'), { headers: { host: `rebind.attacker.example:${port}` } });
    expect(rebound.status).toBe(421);
    expect(rebound.json).toMatchObject({ error: 'host-not-allowed' });
    expect(rebound.text).not.toContain('sku unknown');
    expect((await rawRequest(operator('/'), { headers: { host: 'rebind.attacker.example' } })).status).toBe(421);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`])
      expect((await rawRequest(operator('/api/status'), { headers: { host } })).status, host).toBe(200);
  });

  it('refuses a cross-site text/plain POST to replay with 403 and leaves the dead letter open', async () => {
    const bySite = await rawRequest(operator(`/api/dlq/${deadId}/replay`), {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'sec-fetch-site': 'cross-site', origin: 'http://evil.example' },
      body: 'x',
    });
    expect(bySite.status).toBe(403);
    expect(bySite.json).toMatchObject({ error: 'cross-origin-refused' });
    const byOrigin = await rawRequest(operator(`/api/dlq/${deadId}/replay`), {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'http://evil.example' },
    });
    expect(byOrigin.status).toBe(403);
    const sameSite = await rawRequest(operator(`/api/dlq/${deadId}/replay`), {
      method: 'POST',
      headers: { 'sec-fetch-site': 'same-site' },
    });
    expect(sameSite.status).toBe(403);
    expect((await h.engine.deadLetters.get(deadId))?.entry.status).toBe('open');
    expect(h.target.requests).toHaveLength(1);
  });

  it('accepts a same-origin POST from the dashboard', async () => {
    const res = await rawRequest(operator(`/api/dlq/${deadId}/replay`), {
      method: 'POST',
      headers: { 'sec-fetch-site': 'same-origin', origin: `http://${operatorHost()}` },
    });
    expect(res.status).toBe(202);
    await waitFor(() => h.target.effectiveWrites.get('9') === 1, 'replayed event delivered');
    const audit = await rawRequest(operator('/api/audit?limit=5'));
    expect(audit.json).toEqual({
      entries: [
        {
          seq: expect.any(Number),
          entry: {
            at: expect.any(String),
            actor: { kind: 'user', id: 'anonymous' },
            action: 'dlq.replay',
            target: deadId,
            result: 'ok',
          },
        },
      ],
      next: expect.any(Number),
    });
    expect((await rawRequest(operator('/api/audit?limit=0'))).status).toBe(400);
  });

  it('forbids framing and MIME sniffing on the dashboard and the API', async () => {
    for (const path of ['/', '/api/status', '/api/dlq', '/metrics']) {
      const res = await rawRequest(operator(path));
      expect(res.status, path).toBe(200);
      expect(res.headers['content-security-policy'], path).toContain("frame-ancestors 'none'");
      expect(res.headers['x-frame-options'], path).toBe('DENY');
      expect(res.headers['x-content-type-options'], path).toBe('nosniff');
    }
  });

  it('refuses an integration filter that is not a name (no NATS wildcards in subjects)', async () => {
    for (const bad of ['>', '*', 'a b', 'orders.>']) {
      const res = await rawRequest(operator(`/api/dlq?integration=${encodeURIComponent(bad)}`));
      expect(res.status, bad).toBe(400);
      expect(res.json).toMatchObject({ error: 'bad-query' });
    }
  });
});

describe('dead-letter ids', () => {
  it('cannot be computed offline from the event id', async () => {
    const [entry] = await h.engine.deadLetters.list();
    // The old scheme the review reproduced: sha256("<integration>:<event id>"), base64url, 22 characters, "-0".
    const old = createHash('sha256').update(`orders:${entry.eventId}`).digest('base64url').slice(0, 22);
    expect(entry.id.startsWith(old)).toBe(false);
    expect(entry.id).toMatch(/^[A-Za-z0-9]{22}-\d+$/);
  });

  it('differ between clusters for the same event (a random key per cluster)', async () => {
    const other = await startRuntimeHarness({ integrations: [integrationYaml()] });
    try {
      other.target.fault = () => ({ respond: { status: 422 } });
      await other.post('orders', { id: 9, seq: 1, status: 'new' });
      await waitFor(async () => (await other.engine.deadLetters.list()).length === 1, 'dead-lettered');
      const [theirs] = await other.engine.deadLetters.list();
      const [ours] = await h.engine.deadLetters.list();
      expect(theirs.eventId).toBe(ours.eventId);
      expect(theirs.id).not.toBe(ours.id);
    } finally {
      await other.dispose();
    }
  });
});
