/**
 * Security items about secrets:
 * - a spec can only make the engine read the variables the engine allows (`JUNCTION_ALLOWED_SECRETS`,
 *   `--allow-secret`), never any variable of the process; outside the allowlist is a start-up error, a validate
 *   diagnostic when the allowlist is configured, and refused at resolution time too;
 * - an empty secret counts as unset (an empty HMAC key would let anyone sign);
 * - secrets are masked by value everywhere, including a secret inside `base_url`: in the DLQ entry (message,
 *   response excerpt, request) and in every log line; a response excerpt is masked before it is cut, so a secret
 *   across the cut leaves nothing of itself, and a secret a vendor echoes form-encoded is masked too.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpEmulator } from '../../connectors/http/emulator/index.js';
import { engineSecurity } from '../../engine/cli/security-options.js';
import { compiledSpecSet, createWiring } from '../../engine/cli/wiring.js';
import { secretPolicy } from '../../engine/compiler/secret-ref.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import { signBody } from '../../engine/runtime/ingest/verify-signature.js';
import { startEngine } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import { createRuntimeLogger } from '../../engine/runtime/observe/runtime-logger.js';
import { runCli } from '../cli/run-cli.js';
import { junction } from './helpers/junction.js';
import { failure, registry } from '../connectors/connector-fixtures.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import { Cleanup, specDir as writeSpecDir } from './helpers/spec-dir.js';
import { TEST_TUNING, waitFor } from '../runtime/helpers/runtime-harness.js';
import { integrationYaml } from '../runtime/helpers/runtime-specs.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const specDir = (files: Record<string, string>) => writeSpecDir(cleanup, files);

const APP = (baseUrl: string, token = 'APP_TOKEN') =>
  `apiVersion: junction/v1\nkind: Connection\nname: app\ntype: http\nbase_url: ${baseUrl}\n` +
  `auth: { type: bearer, token: "\${env:${token}}" }\n`;
/** The orders webhook (signed with HOOK_SECRET unless `verify` says otherwise) posting each order to the app. */
const ordersYaml = (verify = 'verify: { hmac_sha256: { header: X-Signature, secret: "${env:HOOK_SECRET}" } }') =>
  integrationYaml({
    source: `{ webhook: { ${verify} } }`,
    post: { connection: 'app', path: '/orders', body: '{ "id": $string(id) }' },
    maxAttempts: 1,
    initial: '10ms',
    max: '10ms',
  });
const ORDERS = ordersYaml();

describe('the secret allowlist', () => {
  it('refuses to start an engine whose specs read a variable it does not allow, and says how to allow it', async () => {
    const dir = specDir({ 'app.yaml': APP('https://app.example.com', 'GITHUB_TOKEN'), 'orders.yaml': ORDERS });
    const env = { JUNCTION_ALLOWED_SECRETS: 'HOOK_SECRET,APP_TOKEN', GITHUB_TOKEN: 'ghp_x', HOOK_SECRET: 'h' };
    const run = await runCli(['run', dir, '--port', '0', '--operator-port', '0'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'app.yaml:6:30  secret-not-allowed  ${env:GITHUB_TOKEN}: the engine does not allow it; an operator allows it with JUNCTION_ALLOWED_SECRETS=GITHUB_TOKEN',
    );
    expect(run.stderr).toContain('start it with JUNCTION_ALLOWED_SECRETS=GITHUB_TOKEN (or --allow-secret NAME');
  });

  it('is a validate diagnostic at line:col when configured, and silent when not', async () => {
    const dir = specDir({ 'app.yaml': APP('https://app.example.com/${env:APP_TOKEN}'), 'orders.yaml': ORDERS });
    const configured = await junction(['validate', dir, '--format', 'json'], {
      JUNCTION_ALLOWED_SECRETS: 'orders=HOOK_*',
    });
    expect(configured.code).toBe(1);
    expect(
      JSON.parse(configured.stdout).map((d: { line: number; col: number; code: string }) => [d.line, d.col, d.code]),
    ).toEqual([
      [5, 11, 'secret-not-allowed'],
      [6, 30, 'secret-not-allowed'],
      // A warning: the orders create has no find.
      [9, 16, 'unguarded-create'],
    ]);
    expect((await junction(['validate', dir], { JUNCTION_ALLOWED_SECRETS: undefined })).code).toBe(0);
  });

  it('scopes entries to one spec, and refuses resolution at call time too (no request is sent)', async () => {
    const policy = secretPolicy(['crm=CRM_*', 'SHOP_TOKEN']);
    expect([
      policy.allows('CRM_SECRET', 'crm'),
      policy.allows('CRM_SECRET', 'app'),
      policy.allows('SHOP_TOKEN', 'app'),
    ]).toEqual([true, false, true]);
    expect(() => secretPolicy(['crm=CRM_*', 'no spaces'])).toThrow(
      'secret allowlist entry "no spaces" is not NAME, PREFIX*, spec=NAME or spec=PREFIX*',
    );
    const target = await startHttpEmulator();
    cleanup.push(() => target.stop());
    const client = createConnectionClient({
      connection: {
        name: 'app',
        type: 'http',
        baseUrl: target.url,
        auth: { type: 'bearer', token: '${env:CRM_SECRET}' },
        timeoutMs: 1000,
        commitWindowMs: 0,
        options: {},
        file: 'app.yaml',
      },
      connector: registry.get('http')!,
      env: { CRM_SECRET: 'crm-secret-value' },
      security: {
        secretPolicy: policy,
        outbound: { allowPrivateNetwork: false, allowedHosts: [new URL(target.url).host] },
      },
    });
    cleanup.push(() => client.close());
    const error = await failure(client.call('post', { params: { path: '/orders' }, body: { id: '1' } }));
    expect({ code: error.code, disposition: error.disposition, message: error.message }).toEqual({
      code: 'secret-not-allowed',
      disposition: 'permanent',
      message: expect.stringMatching(/^app may not read environment variable CRM_SECRET: the engine does not allow it/),
    });
    expect(target.requests).toEqual([]);
  });
});

describe('empty secrets', () => {
  const body = '{"id":1}';
  it.each([
    {
      scheme: 'an HMAC secret',
      source: 'verify: { hmac_sha256: { header: X-Signature, secret: "${env:HOOK_SECRET}" } }',
      // Signed with the empty key, which would have verified before.
      headers: { 'x-signature': signBody({ encoding: 'hex', prefix: '' }, '  ', body) } as Record<string, string>,
    },
    {
      // Read after the body, it threw: 500 `internal` and an error log line per request.
      scheme: "an Adobe Commerce webhook's public key",
      source: 'verify: { adobe_commerce_webhook: { public_key: "${env:HOOK_SECRET}" } }',
      headers: { 'x-adobe-commerce-webhook-signature': 'c2lnbmF0dXJl' },
    },
  ])('count as unset: a webhook with an empty $scheme is refused with 500 and nothing is stored', async (c) => {
    const nats = await startTestNatsServer();
    cleanup.push(() => nats.dispose());
    const env = { HOOK_SECRET: '  ', APP_TOKEN: 'app-token', JUNCTION_ALLOWED_SECRETS: 'HOOK_SECRET,APP_TOKEN' };
    const wiring = createWiring({ env });
    const orders = ordersYaml(c.source);
    const engine = await startEngine({
      specSet: await compiledSpecSet(
        wiring,
        specDir({ 'app.yaml': APP('https://app.example.com'), 'orders.yaml': orders }),
      ),
      invoker: wiring.invokerFactory,
      natsUrl: nats.url,
      env,
      security: wiring.security,
      port: 0,
      host: '127.0.0.1',
      tuning: TEST_TUNING,
      logger: createRuntimeLogger('silent'),
    });
    cleanup.push(() => engine.stop());
    const res = await fetch(`${engine.url}/hooks/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...c.headers },
      body,
    });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 500,
      body: { error: 'secret-not-configured', message: 'the webhook secret is not configured on this engine' },
    });
    expect((await engine.status()).integrations.find((i) => i.name === 'orders')).toMatchObject({ lag: 0 });
  });
});

describe('redaction by value', () => {
  it('masks a secret inside base_url in the DLQ entry and in every log line', async () => {
    const token = 'tok-s3cr3t-path-4711';
    const target = await startHttpEmulator();
    const nats = await startTestNatsServer();
    cleanup.push(() => target.stop());
    cleanup.push(() => nats.dispose());
    const env = {
      PATH_TOKEN: token,
      APP_TOKEN: 'app-bearer-token-0815',
      HOOK_SECRET: 'hook-secret-value',
      JUNCTION_ALLOWED_SECRETS: 'PATH_TOKEN,APP_TOKEN,HOOK_SECRET',
      JUNCTION_ALLOWED_PRIVATE_HOSTS: new URL(target.url).host,
    };
    const security = engineSecurity(env, {}, true);
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _, done) => (lines.push(String(chunk)), done()) });
    const wiring = createWiring({ env, security });
    // The emulator has no route under /x<token>: its 404 echoes the path, secret included.
    const dir = specDir({ 'app.yaml': APP(`${target.url}/x\${env:PATH_TOKEN}`), 'orders.yaml': ORDERS });
    const engine: Engine = await startEngine({
      specSet: await compiledSpecSet(wiring, dir),
      invoker: wiring.invokerFactory,
      natsUrl: nats.url,
      env,
      security,
      port: 0,
      host: '127.0.0.1',
      tuning: TEST_TUNING,
      logger: createRuntimeLogger('debug', sink, security.secretPolicy!.values(env)),
    });
    cleanup.push(() => engine.stop());
    const body = '{"id":7}';
    const res = await fetch(`${engine.url}/hooks/orders`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-signature': signBody({ encoding: 'hex', prefix: '' }, env.HOOK_SECRET, body),
      },
      body,
    });
    expect(res.status).toBe(202);
    await waitFor(async () => (await engine.deadLetters.list()).length === 1, 'dead-lettered');
    expect(target.requests.map((r) => r.path)).toEqual([`/x${token}/orders`]);
    const [entry] = await engine.deadLetters.list();
    expect(entry.error.message).toContain('[redacted]');
    const stored = JSON.stringify(entry);
    for (const secret of [token, env.APP_TOKEN]) {
      expect(stored).not.toContain(secret);
      expect(lines.join('')).not.toContain(secret);
    }
    expect(lines.join('')).toContain('[redacted]');
  });

  /** A target that answers every request with `status` and the body `answer(request body)`. */
  async function echoTarget(status: number, answer: (body: string) => string): Promise<string> {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => res.writeHead(status, { 'content-type': 'text/plain' }).end(answer(body)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const clientOf = (baseUrl: string, auth: Parameters<typeof createConnectionClient>[0]['connection']['auth']) =>
    createConnectionClient({
      connection: {
        name: 'app',
        type: 'http',
        baseUrl,
        auth,
        timeoutMs: 5000,
        commitWindowMs: 0,
        options: {},
        file: 'app.yaml',
      },
      connector: registry.get('http')!,
      env: { APP_TOKEN: 'app-bearer-token-0815-abcdefgh', CLIENT_ID: 'client-1', CLIENT_SECRET: 'k+9/Zq==s3cr3t x' },
      security: { outbound: { allowPrivateNetwork: true, allowedHosts: [] } },
    });

  it('masks a secret across the cut of a response excerpt before cutting, so none of it is left', async () => {
    const token = 'app-bearer-token-0815-abcdefgh';
    // The error body quotes the token where the 500-character excerpt ends: its first 20 characters were kept.
    const url = await echoTarget(500, () => `${'x'.repeat(480)}${token} and more`);
    const client = clientOf(url, { type: 'bearer', token: '${env:APP_TOKEN}' });
    cleanup.push(() => client.close());
    const error = await failure(client.call('post', { params: { path: '/orders' }, body: { id: '1' } }));
    expect(error.responseExcerpt).toBe(`${'x'.repeat(480)}[redacted] and more`.slice(0, 500));
    expect(error.responseExcerpt).not.toContain(token.slice(0, 4));
  });

  it('masks a client secret a token endpoint echoes form-encoded', async () => {
    // The token request's form, quoted back in the refusal: the secret appears as k%2B9%2FZq%3D%3Ds3cr3t+x.
    const url = await echoTarget(401, (form) => `invalid_client: ${form}`);
    const client = clientOf(url, {
      type: 'oauth2_client_credentials',
      tokenUrl: '/oauth/token',
      clientId: '${env:CLIENT_ID}',
      clientSecret: '${env:CLIENT_SECRET}',
    });
    cleanup.push(() => client.close());
    const error = await failure(client.call('post', { params: { path: '/orders' }, body: { id: '1' } }));
    expect(error.responseExcerpt).toBe(
      'invalid_client: grant_type=client_credentials&client_id=client-1&client_secret=[redacted]',
    );
  });
});
