/**
 * Security items about webhooks:
 * - `verify` is required; `verify: none` compiles with an `unverified-webhook` warning at line:col;
 * - optional replay protection: a signed timestamp (Stripe-style) outside the tolerance gets 401;
 * - unsigned requests are refused from their headers, before the body is read;
 * - `max_body_bytes` has an upper bound, an oversized chunked body gets 413 (not a reset), and the bytes in flight
 *   across requests have a cap (503 with Retry-After), counted as they arrive: a sender that announces a body and
 *   sends nothing (slowloris) holds none of it;
 * - the GitOps push hook (`POST /hooks/git`) follows the same rules: headers first, the same cap.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compiledSpecSet, createWiring } from '../../engine/cli/wiring.js';
import { handlePushWebhook } from '../../engine/gitops/push-webhook.js';
import type { WebhookVerification } from '../../engine/compiler/compiled-spec.js';
import { signBody } from '../../engine/runtime/ingest/verify-signature.js';
import { startEngine } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { createRuntimeLogger } from '../../engine/runtime/observe/runtime-logger.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import { Cleanup, specDir as writeSpecDir } from './helpers/spec-dir.js';
import { TEST_TUNING } from '../runtime/helpers/runtime-harness.js';
import { junction } from './helpers/junction.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const specDir = (files: Record<string, string>) => writeSpecDir(cleanup, files);

const APP =
  'apiVersion: junction/v1\nkind: Connection\nname: app\ntype: http\nbase_url: https://app.example.com\n' +
  'auth: { type: bearer, token: "${env:APP_TOKEN}" }\n';
const hook = (name: string, source: string) => `apiVersion: junction/v1
kind: Integration
name: ${name}
source: ${source}
key: $string(id)
steps:
  - { id: write, connection: app, operation: post, params: { path: /orders }, body: '{ "${name}": $string(id) }' }
owns: [{ connection: app, object: resource, fields: [${name}] }]
`;
const SECRET = 'hook-secret-0123456789';
const STAMPED: WebhookVerification = {
  header: 'X-Signature',
  secret: '${env:HOOK_SECRET}',
  encoding: 'hex',
  prefix: '',
  timestamp: { header: 'X-Timestamp', toleranceMs: 300_000 },
};
const STRIPE: WebhookVerification = {
  ...STAMPED,
  header: 'Stripe-Signature',
  timestamp: { header: 'Stripe-Signature', toleranceMs: 300_000 },
};
const SPECS = {
  'app.yaml': APP,
  'stamped.yaml': hook(
    'stamped',
    '{ webhook: { verify: { hmac_sha256: { header: X-Signature, secret: "${env:HOOK_SECRET}", ' +
      'timestamp: { header: X-Timestamp, tolerance: 5m } } } } }',
  ),
  'stripe.yaml': hook(
    'stripe',
    '{ webhook: { verify: { hmac_sha256: { header: Stripe-Signature, secret: "${env:HOOK_SECRET}", ' +
      'timestamp: { header: Stripe-Signature } } } } }',
  ),
  'small.yaml': hook('small', '{ webhook: { verify: none, max_body_bytes: 1024 } }'),
};

async function engineWith(maxIngestBytesInFlight = 64 * 1024 * 1024): Promise<Engine> {
  const nats = await startTestNatsServer();
  cleanup.push(() => nats.dispose());
  const env = { HOOK_SECRET: SECRET, APP_TOKEN: 'app-token', JUNCTION_ALLOWED_SECRETS: 'HOOK_SECRET,APP_TOKEN' };
  const wiring = createWiring({ env });
  const engine = await startEngine({
    specSet: await compiledSpecSet(wiring, specDir(SPECS)),
    invoker: wiring.invokerFactory,
    natsUrl: nats.url,
    env,
    security: wiring.security,
    port: 0,
    host: '127.0.0.1',
    tuning: { ...TEST_TUNING, maxIngestBytesInFlight },
    logger: createRuntimeLogger('silent'),
  });
  cleanup.push(() => engine.stop());
  return engine;
}

async function post(url: string, body: string, headers: Record<string, string>) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** Waits until the engine's webhook bodies in flight hold `bytes` (the requests' bytes have arrived). */
async function untilHeld(engine: Engine, bytes: number): Promise<void> {
  const held = async () =>
    (await engine.metrics.getSingleMetric('junction_webhook_bytes_in_flight')!.get()).values[0]?.value ?? 0;
  while ((await held()) < bytes) await new Promise((r) => setTimeout(r, 10));
}

/** A POST whose body is sent by the caller, chunk by chunk; resolves with the answer, or 'reset'. */
function streamingPost(url: string, headers: Record<string, string> = {}) {
  const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } });
  const answer = new Promise<{ status: number; body: string; headers: Record<string, unknown> } | 'reset'>(
    (resolve) => {
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, headers: res.headers }));
      });
      req.on('error', () => resolve('reset'));
    },
  );
  return { req, answer };
}

describe('webhook verification is required', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'junction-webhooks-validate-'));
    writeFileSync(join(dir, 'app.yaml'), APP);
    writeFileSync(join(dir, 'bare.yaml'), hook('bare', '{ webhook: {} }'));
    writeFileSync(join(dir, 'open.yaml'), hook('open', '{ webhook: { verify: none } }'));
    writeFileSync(join(dir, 'huge.yaml'), hook('huge', '{ webhook: { verify: none, max_body_bytes: 100000000 } }'));
    writeFileSync(join(dir, 'typo.yaml'), hook('typo', '{ webhook: { verify: nothing } }'));
    return () => rmSync(dir, { recursive: true, force: true });
  });

  it('is a validate error when missing or unbounded, and `verify: none` is a warning at line:col', async () => {
    const result = await junction(['validate', dir, '--format', 'json'], { APP_TOKEN: 'x' });
    const found = (JSON.parse(result.stdout) as { file: string; line: number; col: number; code: string }[]).map(
      (d) => `${d.file.split('/').pop()}:${d.line}:${d.col} ${d.code}`,
    );
    expect(found.sort()).toEqual([
      'bare.yaml:4:20 missing-property',
      'huge.yaml:4:52 invalid-value',
      'open.yaml:4:30 unverified-webhook',
      // Its create has no find: a warning too (the specs with errors stop before their steps are checked).
      'open.yaml:7:46 unguarded-create',
      'typo.yaml:4:30 invalid-value',
    ]);
    expect(result.code).toBe(1);
  });
});

describe('webhook ingest', () => {
  it('refuses a signed timestamp outside the tolerance, and a signature over another timestamp', async () => {
    const engine = await engineWith();
    const url = `${engine.url}/hooks/stamped`;
    const body = '{"id":1}';
    const now = Math.floor(Date.now() / 1000);
    const stale = now - 600;
    expect(
      await post(url, body, { 'x-timestamp': String(stale), 'x-signature': signBody(STAMPED, SECRET, body, stale) }),
    ).toEqual({
      status: 401,
      body: { error: 'bad-signature', message: 'the signed timestamp is outside the 300 s tolerance' },
    });
    // A captured signature replayed with a fresh timestamp does not match: the timestamp is signed.
    expect(
      await post(url, body, { 'x-timestamp': String(now), 'x-signature': signBody(STAMPED, SECRET, body, stale) }),
    ).toEqual({ status: 401, body: { error: 'bad-signature', message: 'the signature does not match the body' } });
    expect(await post(url, body, { 'x-signature': signBody(STAMPED, SECRET, body, now) })).toEqual({
      status: 401,
      body: { error: 'bad-signature', message: 'missing or invalid X-Timestamp timestamp' },
    });
    const fresh = await post(url, body, {
      'x-timestamp': String(now),
      'x-signature': signBody(STAMPED, SECRET, body, now),
    });
    expect(fresh.status).toBe(202);

    // Stripe's own header: `t=<unix>,v1=<hex>`.
    const stripe = `${engine.url}/hooks/stripe`;
    const header = signBody(STRIPE, SECRET, body, now);
    expect(header).toMatch(new RegExp(`^t=${now},v1=[0-9a-f]{64}$`));
    expect((await post(stripe, body, { 'stripe-signature': header })).status).toBe(202);
    const old = signBody(STRIPE, SECRET, body, now - 3600);
    expect((await post(stripe, body, { 'stripe-signature': old })).status).toBe(401);
  });

  it('refuses an unsigned request from its headers, without reading the body', async () => {
    const engine = await engineWith();
    const { req, answer } = streamingPost(`${engine.url}/hooks/stamped`, { 'content-length': String(8 << 20) });
    req.write('{"id":1,"pad":"');
    // The answer comes while the sender has sent 15 bytes of the 8 MiB it announced.
    const reply = await answer;
    req.destroy();
    expect(reply).toMatchObject({ status: 401, headers: { connection: 'close' } });
    expect(JSON.parse((reply as { body: string }).body)).toEqual({
      error: 'bad-signature',
      message: 'missing or invalid X-Signature signature',
    });
  });

  it('answers 413 to an oversized chunked body instead of resetting the connection', async () => {
    const engine = await engineWith();
    const { req, answer } = streamingPost(`${engine.url}/hooks/small`);
    req.write(`{"id":1,"pad":"${'x'.repeat(800)}`);
    req.write('x'.repeat(800));
    const reply = await answer;
    req.destroy();
    expect(reply).toMatchObject({ status: 413, headers: { connection: 'close' } });
    expect(JSON.parse((reply as { body: string }).body)).toEqual({
      error: 'body-too-large',
      message: 'body exceeds 1024 bytes',
    });
  });

  it('answers 503 with Retry-After when the bytes in flight across requests would pass the cap', async () => {
    const engine = await engineWith(1500);
    const url = `${engine.url}/hooks/small`;
    const first = streamingPost(url, { 'content-length': '1000' });
    const body = `{"id":1,"pad":"${'x'.repeat(1000 - 17)}"}`;
    first.req.write(body.slice(0, 700));
    // The first request holds the 700 bytes of the 1500 it has sent until its body ends.
    await untilHeld(engine, 700);
    const second = streamingPost(url, { 'content-length': '900' });
    second.req.end(`{"id":2,"pad":"${'x'.repeat(900 - 17)}"}`);
    const busy = await second.answer;
    expect(busy).toMatchObject({ status: 503, headers: { 'retry-after': '1', connection: 'close' } });
    expect(JSON.parse((busy as { body: string }).body)).toEqual({
      error: 'busy',
      message: 'too many webhook bytes in flight on this engine, retry later',
    });
    first.req.end(body.slice(700));
    expect(await first.answer).toMatchObject({ status: 202 });
    // The budget was given back: the same request now fits.
    expect((await post(url, `{"id":3}`, {})).status).toBe(202);
  });

  it('refuses an unsigned Git push hook from its headers, and holds a signed-looking one to the cap', async () => {
    const engine = await engineWith(1500);
    let fetches = 0;
    engine.attachSync({
      webhook: (req, budget) =>
        handlePushWebhook(req, { secret: SECRET, branch: 'main', fetchNow: () => void fetches++, budget }),
      status: async () => ({}),
    });
    const url = `${engine.url}/hooks/git`;
    const unsigned = streamingPost(url, { 'content-length': String(4 << 20) });
    cleanup.push(async () => unsigned.req.destroy());
    unsigned.req.write('{"ref":"refs/heads/main"');
    // The answer comes while the sender has sent 24 bytes of the 4 MiB it announced: it was buffered whole before.
    expect(await unsigned.answer).toMatchObject({ status: 401, headers: { connection: 'close' } });
    const looksSigned = { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` };
    const big = await post(url, `{"ref":"${'x'.repeat(2000)}"}`, looksSigned);
    expect(big).toEqual({
      status: 503,
      body: { error: 'busy', message: 'too many webhook bytes in flight on this engine, retry later' },
    });
    const body = '{"ref":"refs/heads/main"}';
    const signed = { 'x-hub-signature-256': `sha256=${signBody({ encoding: 'hex', prefix: '' }, SECRET, body)}` };
    expect(await post(url, body, signed)).toEqual({ status: 202, body: { fetching: true } });
    expect(fetches).toBe(1);
  });

  it('lets senders that announce bodies and send nothing hold none of the cap (slowloris)', async () => {
    const engine = await engineWith(1500);
    const url = `${engine.url}/hooks/small`;
    // Three connections announce 1000 bytes each and send one: with the cap taken from Content-Length, they
    // held it all for as long as Node keeps a request open (300 s), and every other sender got 503.
    const stalled = [1, 2, 3].map(() => streamingPost(url, { 'content-length': '1000' }));
    cleanup.push(async () => stalled.forEach((s) => s.req.destroy()));
    for (const s of stalled) s.req.write('{');
    await untilHeld(engine, 3);
    expect((await post(url, `{"id":4,"pad":"${'x'.repeat(900 - 17)}"}`, {})).status).toBe(202);
  });
});
