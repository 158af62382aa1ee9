/**
 * The conformance suite: every connector passes the same tests against its emulator on loopback. Each operation's
 * exact request and result; the vendor's rejections (validation, not found, locked); every transport failure
 * mode (429 with Retry-After, 5xx, dropped connection, stall); auth and token refresh; rate limiting; redaction.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { ConnectionClient } from '../../engine/http/connection-client.js';
import type { HttpCallEvent } from '../../engine/http/telemetry.js';
import type { EmulatorServer } from '../../engine/sdk/index.js';
import type { CompiledConnection } from '../../engine/compiler/compiled-spec.js';
import { connectionTo, emulatorSecurity, failure, registry } from './connector-fixtures.js';
import type { ConnectorFixture, ExpectedCall, ExpectedFailure } from './connector-fixtures.js';
import { ALL_FIXTURES } from './fixtures/index.js';

const TOKEN_PATH = /oauth2?\/token|token\.oauth2/;

describe.each(ALL_FIXTURES.map((f) => [f.id, f] as const))('%s connector', (_id, fixture: ConnectorFixture) => {
  let emulator: EmulatorServer;
  const clients: ConnectionClient[] = [];
  const client = (extra: Partial<CompiledConnection> = {}, env = fixture.env, more = {}) => {
    const created = createConnectionClient({
      connection: connectionTo(fixture, emulator.url, extra),
      connector: registry.get(fixture.id)!,
      env,
      security: emulatorSecurity(emulator.url),
      ...more,
    });
    clients.push(created);
    return created;
  };
  const run = (c: ExpectedCall, on: ConnectionClient = client()) =>
    on.call(c.operation, { params: c.params ?? {}, body: c.body }, { idempotencyKey: 'evt-1:step' });
  /** A client that has already authenticated, so an injected fault hits the call, not the token request. */
  const warmClient = async (extra: Partial<CompiledConnection> = {}) => {
    const warm = client(extra);
    await run(fixture.probe, warm);
    emulator.requests.length = 0;
    return warm;
  };
  const received = () => emulator.requests.filter((r) => !TOKEN_PATH.test(r.path));

  beforeAll(async () => {
    emulator = await fixture.start();
  });
  afterAll(() => emulator.stop());
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await fetch(`${emulator.url}/__emulator/reset`, { method: 'POST' });
  });

  it('is listed in the registry, and the suite calls every one of its operations', () => {
    const connector = registry.get(fixture.id)!;
    expect(connector.id).toBe(fixture.id);
    expect(connector.options).toMatchObject({ type: 'object' });
    expect(new Set(fixture.calls.map((c) => c.operation))).toEqual(new Set(Object.keys(connector.operations)));
  });

  it.each(fixture.calls.map((c, i) => [`${c.operation} #${i + 1}`, c] as const))(
    '%s sends the exact vendor request and returns its result',
    async (_op, expected) => {
      await expected.before?.(emulator);
      const result = await run(expected);
      const requests = received();
      expect(requests).toHaveLength(expected.requests ?? 1);
      const { method, path, query, body, headers } = requests[0];
      expect({ method, path, query, body }).toEqual({
        method: expected.request.method,
        path: expected.request.path,
        query: expected.request.query ?? {},
        body: expected.request.body,
      });
      expect(headers['idempotency-key']).toBe('evt-1:step');
      expect(result.request).toMatchObject({ method: expected.request.method, body: expected.request.body });
      expect(result.request.headers.authorization).toBe('[redacted]');
      expect(result.result).toEqual(expected.result);
    },
  );

  const rejections = [
    ['rejects invalid input', fixture.invalid],
    ['reports a missing record', fixture.notFound],
    ['reports a locked record', fixture.locked],
  ].filter((r): r is [string, ExpectedFailure] => r[1] !== undefined);
  it.each(rejections)('%s as a permanent error with the vendor code and message', async (_label, expected) => {
    await expected.before?.(emulator);
    const error = await failure(run(expected));
    expect({
      code: error.code,
      disposition: error.disposition,
      status: error.status,
      vendorCode: error.vendorCode,
      field: error.field,
      message: error.message,
    }).toEqual({
      ...expected.error,
      disposition: 'permanent',
      vendorCode: expected.error.vendorCode,
      field: expected.error.field,
    });
    expect(received().at(-1)).toMatchObject(expected.request);
    expect((error as { request?: { method: string } }).request?.method).toBe(expected.request.method);
  });

  it('classifies 429 as retryable and honours Retry-After in seconds and as an HTTP date', async () => {
    const warm = await warmClient();
    emulator.fail({ status: 429, headers: { 'retry-after': '7' }, body: { message: 'slow down' } });
    const seconds = await failure(run(fixture.probe, warm));
    expect({
      code: seconds.code,
      disposition: seconds.disposition,
      status: seconds.status,
      retryAfterMs: seconds.retryAfterMs,
    }).toEqual({ code: 'rate-limited', disposition: 'retryable', status: 429, retryAfterMs: 7000 });
    // An HTTP date has whole seconds: the wait is that date less the time the client read the answer, which falls
    // between the two readings of the clock around the call (however long a loaded machine takes for it).
    const retryAt = new Date(Date.now() + 30_000).toUTCString();
    emulator.fail({ status: 429, headers: { 'retry-after': retryAt } });
    const before = Date.now();
    const date = await failure(run(fixture.probe, warm));
    const after = Date.now();
    expect(date.retryAfterMs).toBeGreaterThanOrEqual(Date.parse(retryAt) - after);
    expect(date.retryAfterMs).toBeLessThanOrEqual(Date.parse(retryAt) - before);
  });

  it('classifies 500 and 503 as retryable, and succeeds once the target recovers', async () => {
    const warm = await warmClient();
    emulator.fail({ status: 500, body: { message: 'boom' } });
    emulator.fail({ status: 503, body: { message: 'maintenance' } });
    expect(await failure(run(fixture.probe, warm))).toMatchObject({
      code: 'http-5xx',
      disposition: 'retryable',
      status: 500,
    });
    expect(await failure(run(fixture.probe, warm))).toMatchObject({
      code: 'http-5xx',
      disposition: 'retryable',
      status: 503,
    });
    await expect(run(fixture.probe, warm)).resolves.toMatchObject({ response: { status: 200 } });
    expect(received()).toHaveLength(3);
  });

  it('times out a stalled call as retryable, within the connection timeout', async () => {
    const warm = await warmClient({ timeoutMs: 300 });
    emulator.fail({ stall: true });
    const error = await failure(run(fixture.probe, warm));
    expect({ code: error.code, disposition: error.disposition }).toEqual({ code: 'timeout', disposition: 'retryable' });
    // Timed out by the connection's own timeout (not a slower default): the transport says which one fired.
    expect(error.message).toMatch(/: no response within 300 ms$/);
  });

  it('reports a connection dropped after the change was committed as a retryable network error', async () => {
    const write = fixture.calls.find(
      (c) => !['read', 'query'].includes(registry.get(fixture.id)!.operations[c.operation].kind),
    )!;
    const warm = await warmClient();
    await write.before?.(emulator);
    emulator.fail({ dropAfterCommit: true });
    const error = await failure(run(write, warm));
    expect({ code: error.code, disposition: error.disposition }).toEqual({ code: 'network', disposition: 'retryable' });
    expect(received().map((r) => r.path)).toEqual([write.request.path]);
  });

  it('answers 429 past the emulator rate limit, and the client token bucket keeps under it', async () => {
    const unlimited = await warmClient();
    const limited = await warmClient({ rateLimit: { requestsPerSecond: 4, burst: 2 } });
    await fetch(`${emulator.url}/__emulator/rate-limit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ per_second: 3 }),
    });
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(() => run(fixture.probe, unlimited)));
    const rejected = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => ({ code: r.reason.code, retryAfterMs: r.reason.retryAfterMs }));
    expect(rejected).toEqual([
      { code: 'rate-limited', retryAfterMs: 1000 },
      { code: 'rate-limited', retryAfterMs: 1000 },
    ]);
    emulator.setRateLimit(5);
    const started = Date.now();
    await Promise.all([1, 2, 3, 4, 5].map(() => run(fixture.probe, limited)));
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
  });

  it('fails authentication permanently, without a refresh loop and without leaking the secret', async () => {
    const error = await failure(run(fixture.probe, client({}, fixture.badEnv)));
    expect({ code: error.code, disposition: error.disposition }).toEqual({ code: 'auth', disposition: 'permanent' });
    expect(emulator.requests).toHaveLength(1);
    const text = JSON.stringify({
      message: error.message,
      excerpt: error.responseExcerpt,
      request: (error as { request?: unknown }).request,
    });
    for (const secret of [...fixture.secrets, ...Object.values(fixture.badEnv).slice(-1)])
      expect(text).not.toContain(secret);
  });

  it('redacts credentials from logs, telemetry, errors and the recorded request', async () => {
    const lines: string[] = [];
    const events: HttpCallEvent[] = [];
    const logger = {
      debug: (o: object, m?: string) => lines.push(JSON.stringify({ o, m })),
      warn: (o: object, m?: string) => lines.push(JSON.stringify({ o, m })),
    };
    const good = client({}, fixture.env, { logger, telemetry: (e: HttpCallEvent) => events.push(e) });
    const ok = await run(fixture.probe, good);
    emulator.fail({ status: 400, body: { message: `rejected ${fixture.secrets[0]}` } });
    const error = await failure(run(fixture.probe, good));
    expect(events.filter((e) => e.kind === 'call').map((e) => [e.operation, e.outcome, e.status])).toEqual([
      [fixture.probe.operation, 'ok', 200],
      [fixture.probe.operation, 'error', 400],
    ]);
    expect(lines.length).toBe(events.length);
    const text = JSON.stringify({
      lines,
      events,
      ok: ok.request,
      error: {
        message: error.message,
        excerpt: error.responseExcerpt,
        request: (error as { request?: unknown }).request,
      },
    });
    expect(text).toContain('[redacted]');
    for (const secret of fixture.secrets) expect(text).not.toContain(secret);
  });

  it('refuses loopback targets unless the engine allows the host', async () => {
    const error = await failure(run(fixture.probe, client({}, fixture.env, { security: undefined })));
    expect({ code: error.code, disposition: error.disposition }).toEqual({
      code: 'outbound-blocked',
      disposition: 'permanent',
    });
    expect(emulator.requests).toHaveLength(0);
  });

  // Only connectors that sign in with OAuth2 have this case (not a skip: the others never declare it).
  if (fixture.oauth)
    it('fetches an OAuth2 token, refreshes it once when it expires, and retries the call', async () => {
      const oauth = fixture.oauth!;
      const server = await oauth.start();
      try {
        const on = createConnectionClient({
          connection: connectionTo({ ...fixture, auth: oauth.auth }, server.url),
          connector: registry.get(fixture.id)!,
          env: oauth.env,
          security: emulatorSecurity(server.url),
        });
        await run(fixture.probe, on);
        server.expireTokens();
        await run(fixture.probe, on);
        await run(fixture.probe, on);
        const tokenCalls = server.requests.filter((r) => r.path === oauth.tokenPath);
        expect(tokenCalls.map((r) => ({ method: r.method, type: r.headers['content-type'], body: r.body }))).toEqual(
          [1, 2].map(() => ({ method: 'POST', type: 'application/x-www-form-urlencoded', body: oauth.tokenForm })),
        );
        const probe = fixture.probe.request.path;
        expect(server.requests.map((r) => r.path)).toEqual([
          oauth.tokenPath,
          probe,
          probe,
          oauth.tokenPath,
          probe,
          probe,
        ]);
        expect(
          server.requests
            .filter((r) => r.path === probe)
            .map((r) => r.headers.authorization === server.requests[1].headers.authorization),
        ).toEqual([true, true, false, false]);
        await on.close();
      } finally {
        await server.stop();
      }
    });
});
