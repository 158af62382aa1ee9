/**
 * Issue 14, items 1 and 4 (authentication, roles, the CLI): an engine whose operator listener requires sign-in,
 * API tokens created with `junction token`, stored hashed, honoured by role, revocable, and used by the CLI; every
 * action and every refusal in the audit trail with who did it.
 */
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS_BUCKET } from '../../engine/runtime/operator/auth/api-tokens.js';
import { startRuntimeHarness, waitFor } from '../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';
import { junction } from './helpers/junction.js';
import { rawRequest } from './helpers/raw-request.js';

let h: RuntimeHarness;
let deadId: string;
let viewer: string;
let operatorToken: string;

beforeAll(async () => {
  // Sign-in on, and bound beyond loopback: with sign-in the engine agrees to start there.
  h = await startRuntimeHarness({
    integrations: [integrationYaml()],
    engine: { operator: { auth: 'token', host: '0.0.0.0' } },
  });
  h.target.fault = () => ({ respond: { status: 422, body: { message: 'sku unknown' } } });
  await h.post('orders', { id: 9, seq: 1, status: 'new' });
  await waitFor(async () => (await h.engine.deadLetters.list()).length === 1, 'dead-lettered');
  deadId = (await h.engine.deadLetters.list())[0].id;
  h.target.fault = undefined;
  const v = await junction(['token', 'create', 'dashboard-wall', '--role', 'viewer', '--nats', h.nats.url]);
  const o = await junction([
    'token',
    'create',
    'ci-bot',
    '--role',
    'operator',
    '--expires',
    '30d',
    '--nats',
    h.nats.url,
  ]);
  expect([v.code, o.code]).toEqual([0, 0]);
  [viewer, operatorToken] = [v.stdout.trim(), o.stdout.trim()];
  expect(o.stderr).toMatch(/^token ci-bot \(operator\) created, expires \d{4}-.+; it is shown only this once\n$/);
});

afterAll(async () => {
  await h?.dispose();
});

const api = (path: string, token?: string, method = 'GET') =>
  rawRequest(`${h.engine.operatorUrl}${path}`, {
    method,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });

describe('authentication', () => {
  it('answers 401 without credentials, on every operator route', async () => {
    for (const path of ['/api/dlq', `/api/dlq/${deadId}`, '/api/status', '/api/audit', '/metrics']) {
      const res = await api(path);
      expect(res.status, path).toBe(401);
      expect(res.json).toMatchObject({ error: 'unauthenticated' });
      expect(res.text).not.toContain('sku unknown');
    }
    expect((await api(`/api/dlq/${deadId}/replay`, undefined, 'POST')).status).toBe(401);
    expect((await api('/api/dlq', 'jct_0000000000000000_' + 'A'.repeat(43))).status).toBe(401);
    expect((await api('/api/dlq', 'not-a-token')).status).toBe(401);
  });

  it('stores only a salted hash of each token', async () => {
    const nc = await connect({ servers: h.nats.url, noAsyncTraces: true });
    try {
      const kv = await new Kvm(jetstream(nc)).open(TOKENS_BUCKET);
      const id = /^jct_([0-9a-f]{16})_(.+)$/.exec(viewer)!;
      const stored = (await kv.get(id[1]))!.string();
      expect(stored).not.toContain(id[2]);
      expect(JSON.parse(stored)).toMatchObject({ name: 'dashboard-wall', role: 'viewer', sha256: expect.any(String) });
    } finally {
      await nc.close();
    }
  });

  it('lets a viewer read but not replay, and audits the refusal', async () => {
    expect((await api('/api/dlq', viewer)).json).toMatchObject({ entries: [{ id: deadId }] });
    expect((await api('/api/session', viewer)).json).toEqual({
      actor: { kind: 'token', id: 'dashboard-wall' },
      role: 'viewer',
      via: 'bearer',
    });
    const refused = await api(`/api/dlq/${deadId}/replay`, viewer, 'POST');
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({
      error: 'forbidden',
      message: 'your role cannot replay; it needs the operator role',
    });
    expect((await h.engine.deadLetters.get(deadId))?.entry.status).toBe('open');
    const [latest] = (await api('/api/audit?limit=1', viewer)).json!.entries as { entry: Record<string, unknown> }[];
    expect(latest.entry).toMatchObject({
      actor: { kind: 'token', id: 'dashboard-wall' },
      action: 'dlq.replay',
      target: deadId,
      result: 'denied',
      reason: 'role viewer',
    });
  });

  it('drives the CLI through the API with a token: status, dlq list, replay, audited as the token', async () => {
    const noToken = await junction(['dlq', 'list', '--url', h.engine.operatorUrl!], { JUNCTION_TOKEN: undefined });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('needs an API token: set JUNCTION_TOKEN (junction token create)');
    // A token on the command line is readable by every local user (the process list): refused before anything is sent.
    for (const command of [['dlq', 'list'], ['status']]) {
      const inArgv = await junction([...command, '--url', h.engine.operatorUrl!, '--token', operatorToken]);
      expect(inArgv).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'junction: --token is refused: a token on the command line is readable by every local user (the process ' +
          'list) and stays in the shell history; set JUNCTION_TOKEN instead\n',
      });
    }
    const env = { JUNCTION_URL: h.engine.operatorUrl, JUNCTION_TOKEN: operatorToken };
    const status = await junction(['status', '--format', 'json'], env);
    expect(JSON.parse(status.stdout)).toMatchObject({ integrations: [{ name: 'orders', dead_letters: 1 }] });
    const listed = await junction(['dlq', 'list'], env);
    expect(listed.stdout).toContain(`${deadId}  open      orders  key=9  validation 422`);
    const replayed = await junction(['dlq', 'replay', deadId], env);
    expect(replayed.stdout).toMatch(new RegExp(`^${deadId}  replayed \\(stream seq \\d+\\)\\n$`));
    await waitFor(() => h.target.effectiveWrites.get('9') === 1, 'replayed event delivered');
    const [latest] = (await api('/api/audit?limit=1', viewer)).json!.entries as { entry: Record<string, unknown> }[];
    expect(latest.entry).toMatchObject({ actor: { kind: 'token', id: 'ci-bot' }, action: 'dlq.replay', result: 'ok' });
  });

  it('refuses a revoked token at once, and audits token changes as the local CLI user', async () => {
    const temp = (await junction(['token', 'create', 'temp', '--role', 'viewer', '--nats', h.nats.url])).stdout.trim();
    expect((await api('/api/status', temp)).status).toBe(200);
    const listed = await junction(['token', 'list', '--json', '--nats', h.nats.url]);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((t) => t.name)).toEqual([
      'ci-bot',
      'dashboard-wall',
      'temp',
    ]);
    expect(listed.stdout).not.toContain('sha256');
    expect((await junction(['token', 'revoke', 'temp', '--nats', h.nats.url])).stdout).toBe('revoked temp\n');
    expect((await api('/api/status', temp)).status).toBe(401);
    const again = await junction(['token', 'revoke', 'temp', '--nats', h.nats.url]);
    expect(again).toMatchObject({ code: 2, stderr: 'junction: no token named temp (see junction token list)\n' });
    const entries = (
      (await api('/api/audit?limit=3', viewer)).json!.entries as { entry: Record<string, unknown> }[]
    ).map((e) => e.entry);
    expect(entries).toMatchObject([
      { actor: { kind: 'cli' }, action: 'token.revoke', target: 'temp', result: 'failed' },
      { actor: { kind: 'cli' }, action: 'token.revoke', target: 'temp', result: 'ok' },
      { actor: { kind: 'cli' }, action: 'token.create', target: 'temp', result: 'ok', detail: { role: 'viewer' } },
    ]);
    expect(String((entries[0].actor as { id: string }).id)).toMatch(/^.+@.+$/);
  });

  it('refuses a duplicate token name', async () => {
    const dup = await junction(['token', 'create', 'ci-bot', '--role', 'viewer', '--nats', h.nats.url]);
    expect(dup).toMatchObject({
      code: 2,
      stderr: 'junction: a token named ci-bot exists; revoke it first or pick another name\n',
    });
  });

  it('refuses an expiry that would end the token before anyone could use it, or past any date, and stores none', async () => {
    for (const expires of ['0s', '5ms', '59s', '999999999d']) {
      const refused = await junction([
        'token',
        'create',
        'short',
        '--role',
        'viewer',
        '--expires',
        expires,
        '--nats',
        h.nats.url,
      ]);
      expect(refused).toEqual({
        code: 2,
        stdout: '',
        stderr: `junction: --expires must be a duration from 1m to 36500d, like 12h, 30d or 90d, got "${expires}"\n`,
      });
    }
    const listed = await junction(['token', 'list', '--json', '--nats', h.nats.url]);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((t) => t.name)).not.toContain('short');
  });

  it('signs a browser in with a token: an HttpOnly SameSite session cookie, cross-site use refused, sign-out ends it', async () => {
    const forged = await rawRequest(`${h.engine.operatorUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site' },
      body: `token=${encodeURIComponent(operatorToken)}`,
    });
    expect(forged.status).toBe(403);
    expect(forged.headers['set-cookie']).toBeUndefined();
    const signedIn = await rawRequest(`${h.engine.operatorUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: `token=${encodeURIComponent(operatorToken)}&next=%2F%2Fevil.example`,
    });
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe('/');
    const [cookie] = signedIn.headers['set-cookie']!;
    expect(cookie).toMatch(/^junction_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=28800$/);
    const session = cookie.split(';')[0];
    const me = await rawRequest(`${h.engine.operatorUrl}/api/session`, { headers: { cookie: session } });
    expect(me.json).toEqual({ actor: { kind: 'token', id: 'ci-bot' }, role: 'operator', via: 'session' });
    const crossSite = await rawRequest(`${h.engine.operatorUrl}/api/dlq/${deadId}/resolve`, {
      method: 'POST',
      headers: { cookie: session, origin: 'http://evil.example', 'content-type': 'text/plain' },
      body: '{"reason":"x"}',
    });
    expect(crossSite.status).toBe(403);
    const out = await rawRequest(`${h.engine.operatorUrl}/auth/sign-out`, {
      method: 'POST',
      headers: { cookie: session, 'sec-fetch-site': 'same-origin' },
    });
    expect(out.headers['set-cookie']?.[0]).toMatch(/^junction_session=; .*Max-Age=0/);
    expect((await rawRequest(`${h.engine.operatorUrl}/api/session`, { headers: { cookie: session } })).status).toBe(
      401,
    );
    const page = await rawRequest(`${h.engine.operatorUrl}/`);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/auth/sign-in?next=%2F');
  });

  it('ends a browser session signed in with a token when the token is revoked', async () => {
    const temp = (await junction(['token', 'create', 'kiosk', '--role', 'viewer', '--nats', h.nats.url])).stdout.trim();
    const signedIn = await rawRequest(`${h.engine.operatorUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
      body: `token=${encodeURIComponent(temp)}`,
    });
    const session = signedIn.headers['set-cookie']![0].split(';')[0];
    const me = () => rawRequest(`${h.engine.operatorUrl}/api/session`, { headers: { cookie: session } });
    expect((await me()).status).toBe(200);
    // A leaked token is revoked: whoever signed in with it must be out too, not for the session's remaining 8 hours.
    expect((await junction(['token', 'revoke', 'kiosk', '--nats', h.nats.url])).stdout).toBe('revoked kiosk\n');
    expect((await me()).status).toBe(401);
  });

  it('sends a signed-in browser back to a path of this listener only, however `next` is spelled', async () => {
    const signIn = (next: string) =>
      rawRequest(`${h.engine.operatorUrl}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin' },
        body: `token=${encodeURIComponent(operatorToken)}&next=${encodeURIComponent(next)}`,
      });
    // Browsers drop tabs and line breaks from a Location and read `\` as `/`: each of these led to evil.example.
    for (const next of [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r\n/evil.example',
      '/\t\\evil.example',
      'https://evil.example/',
    ]) {
      const answer = await signIn(next);
      expect([JSON.stringify(next), answer.status, answer.headers.location]).toEqual([JSON.stringify(next), 303, '/']);
    }
    const kept = await signIn('/api/dlq?integration=orders#top');
    expect(kept.headers.location).toBe('/api/dlq?integration=orders#top');
  });
});
