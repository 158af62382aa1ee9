/**
 * The conformance suite: every connector passes the same tests against its emulator on loopback — each operation's
 * exact request and result, auth, error classification for every failure mode, rate limiting, timeouts, redaction.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { EmulatorServer } from '../../engine/sdk/index.js';
import { ConnectorError } from '../../engine/sdk/index.js';
import { connectionTo, registry } from './connector-fixtures.js';
import type { ConnectorFixture, ExpectedCall } from './connector-fixtures.js';
import { ALL_FIXTURES } from './fixtures.js';

async function failure(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return error as ConnectorError;
  }
  throw new Error('expected the call to fail');
}

describe.each(ALL_FIXTURES.map((f) => [f.id, f] as const))('%s connector', (_id, fixture: ConnectorFixture) => {
  let emulator: EmulatorServer;
  const client = (extra = {}, env = fixture.env) => createConnectionClient({ connection: connectionTo(fixture, emulator.url, extra), connector: registry.get(fixture.id)!, env });
  const call = (c: ExpectedCall, extra = {}, env = fixture.env) => client(extra, env).call(c.operation, { params: c.params ?? {}, body: c.body }, { idempotencyKey: 'evt-1:step' });
  /** A client that has already authenticated, so an injected fault hits the call, not the token request. */
  const warmClient = async (extra = {}) => {
    const warm = client(extra);
    await warm.call(fixture.probe.operation, { params: fixture.probe.params ?? {}, body: fixture.probe.body });
    emulator.requests.length = 0;
    return { call: (c: ExpectedCall) => warm.call(c.operation, { params: c.params ?? {}, body: c.body }) };
  };
  const received = () => emulator.requests.filter((r) => !r.path.includes('oauth2'));

  beforeAll(async () => {
    emulator = await fixture.start();
  });
  afterAll(() => emulator.stop());
  afterEach(async () => {
    await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' });
  });

  it('is listed in the registry with schemas for its options and operations', () => {
    const connector = registry.get(fixture.id)!;
    expect(connector.id).toBe(fixture.id);
    expect(connector.options).toMatchObject({ type: 'object' });
    for (const c of [...fixture.calls, fixture.probe, fixture.invalid]) expect(Object.keys(connector.operations)).toContain(c.operation);
  });

  it.each(fixture.calls.map((c) => [c.operation, c] as const))('%s sends the exact vendor request and returns its result', async (_op, expected) => {
    const result = await call(expected);
    const [request] = received();
    expect(request.method).toBe(expected.request.method);
    expect(request.path).toBe(expected.request.path);
    if (expected.request.query) expect(request.query).toEqual(expected.request.query);
    if (expected.request.body !== undefined) expect(request.body).toEqual(expected.request.body);
    expect(request.headers['idempotency-key']).toBe('evt-1:step');
    expect(result.request).toMatchObject({ method: expected.request.method });
    expect(result.request.headers.authorization).toBe('[redacted]');
    if (expected.result !== undefined) expect(result.result).toMatchObject(expected.result as object);
  });

  it('classifies the vendor rejecting a call as permanent, with its code and message', async () => {
    const error = await failure(call(fixture.invalid));
    expect({ code: error.code, disposition: error.disposition, vendorCode: error.vendorCode, message: error.message }).toEqual({ code: fixture.invalid.code, disposition: 'permanent', vendorCode: fixture.invalid.vendorCode, message: fixture.invalid.message });
    expect(received()[0]).toMatchObject({ method: fixture.invalid.request.method, path: fixture.invalid.request.path });
  });

  it('classifies 429 as retryable and honours Retry-After', async () => {
    const warm = await warmClient();
    emulator.fail({ status: 429, headers: { 'retry-after': '7' }, body: { message: 'slow down' } });
    const error = await failure(warm.call(fixture.probe));
    expect({ code: error.code, disposition: error.disposition, status: error.status, retryAfterMs: error.retryAfterMs }).toEqual({ code: 'rate-limited', disposition: 'retryable', status: 429, retryAfterMs: 7000 });
  });

  it('classifies 5xx as retryable, and succeeds once the target recovers', async () => {
    const warm = await warmClient();
    emulator.fail({ status: 503, times: 2, body: { message: 'maintenance' } });
    for (let i = 0; i < 2; i++) expect(await failure(warm.call(fixture.probe))).toMatchObject({ code: 'http-5xx', disposition: 'retryable', status: 503 });
    await expect(warm.call(fixture.probe)).resolves.toMatchObject({ response: { status: 200 } });
  });

  it('times out a stalled call as retryable', async () => {
    const warm = await warmClient({ timeoutMs: 300 });
    emulator.fail({ stall: true });
    const error = await failure(warm.call(fixture.probe));
    expect({ code: error.code, disposition: error.disposition }).toEqual({ code: 'timeout', disposition: 'retryable' });
  });

  it('reports a connection dropped after the change was committed as a retryable network error', async () => {
    const warm = await warmClient();
    emulator.fail({ dropAfterCommit: true });
    const error = await failure(warm.call(fixture.calls[0]));
    expect({ code: error.code, disposition: error.disposition }).toEqual({ code: 'network', disposition: 'retryable' });
    expect(received()).toHaveLength(1);
  });

  it('answers 429 from the emulator rate limit, and the client token bucket keeps under it', async () => {
    const unlimited = await warmClient();
    await new Promise((r) => setTimeout(r, 1000));
    await fetch(`${emulator.url}/__emulator/rate-limit`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ per_second: 2 }) });
    const results = await Promise.allSettled([1, 2, 3].map(() => unlimited.call(fixture.probe)));
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['rate-limited']);
    await new Promise((r) => setTimeout(r, 1100));
    const limited = await warmClient({ rateLimit: { requestsPerSecond: 1, burst: 1 } });
    for (let i = 0; i < 3; i++) await limited.call(fixture.probe);
  });

  it('fails authentication permanently and never leaks the secret', async () => {
    const error = await failure(call(fixture.probe, {}, fixture.badEnv));
    expect(error.disposition).toBe('permanent');
    expect(error.code).toBe('auth');
    const text = JSON.stringify({ message: error.message, excerpt: error.responseExcerpt, request: (error as { request?: unknown }).request });
    expect(text).not.toContain(fixture.secret);
    expect(text).not.toContain(Object.values(fixture.badEnv).at(-1));
  });

  it('refuses loopback targets unless the connection allows the private network', async () => {
    const error = await failure(call(fixture.probe, { allowPrivateNetwork: false }));
    expect(error.code).toBe('outbound-blocked');
    expect(emulator.requests).toHaveLength(0);
  });
});
