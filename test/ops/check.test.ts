/**
 * `junction check`: offline (secrets, URLs) and online against the vendor emulators (DNS, HTTP, auth), source
 * cursors and subscriptions on a real nats-server, the CLI's table, JSON and exit code, and the engine showing a
 * misconfigured integration in its status.
 */
import { createServer } from 'node:net';
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { afterEach, expect, it, vi } from 'vitest';
import { createConnectorRegistry } from '../../connectors/index.js';
import { M3_EMULATOR_USER, startM3Emulator } from '../../connectors/infor_m3/emulator/index.js';
import { startHttpEmulator } from '../../connectors/http/emulator/index.js';
import { MAGENTO_EMULATOR_TOKEN, startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { SALESFORCE_EMULATOR_CLIENT, startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { runChecks } from '../../engine/ops/check/run-checks.js';
import type { CheckRow } from '../../engine/ops/check/run-checks.js';
import { startEngine } from '../../engine/runtime/engine.js';
import { createWiring } from '../../engine/cli/wiring.js';
import { engineSecurity } from '../../engine/cli/security-options.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { junction } from './cli-in-process.js';
import { TEST_TUNING, testLogger } from '../runtime/helpers/runtime-harness.js';
import { compileOpsSpecs, connectionYaml } from './ops-specs.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of cleanup.splice(0).reverse()) await stop();
});

const WEBHOOK = '{ webhook: { verify: { hmac_sha256: { header: X-Sig, secret: "${env:HOOK_SECRET}" } } } }';
const hook = (name: string, step: string, source = WEBHOOK, key = 'id') => `apiVersion: junction/v1
kind: Integration
name: ${name}
source: ${source}
key: $string(${key})
steps:
${step}
`;
const STEP_READING_CUSTOMER =
  '  - { id: c, connection: erp, operation: CRS610MI/GetBasicData, body: \'{ "CUNO": $string(customer_id) }\' }';
const FILES = {
  'sf.yaml': connectionYaml(
    'sf',
    'salesforce',
    '${env:SF_URL}',
    'auth: { type: oauth2_client_credentials, token_url: /services/oauth2/token, client_id: "${env:SF_ID}", client_secret: "${env:SF_SECRET}" }\n',
  ),
  'shop.yaml': connectionYaml(
    'shop',
    'magento',
    '${env:SHOP_URL}',
    'auth: { type: magento_token, token: "${env:SHOP_TOKEN}" }\n',
  ),
  'erp.yaml': connectionYaml(
    'erp',
    'infor_m3',
    '${env:M3_URL}',
    'auth: { type: basic, username: "${env:M3_USER}", password: "${env:M3_PASSWORD}" }\noptions: { company: 100 }\n',
  ),
  'app.yaml': connectionYaml(
    'app',
    'http',
    '${env:APP_URL}',
    'auth: { type: bearer, token: "${env:APP_TOKEN}" }\noptions: { check_path: /health }\n',
  ),
  'accounts.yaml': hook(
    'accounts',
    '  - { id: a, connection: sf, operation: sobjects.upsert, params: { sobject: Account, external_id_field: Magento_Customer_Id__c }, body: \'{ "Magento_Customer_Id__c": $string(id), "Name": name }\' }\nowns: [{ connection: sf, object: Account, fields: [Name] }]',
  ),
  'polled.yaml': hook(
    'polled',
    STEP_READING_CUSTOMER,
    '{ schedule: { connection: shop, operation: orders.search, params: { updated_after: $cursor }, every: 1h, records: items, cursor: updated_at, initial_cursor: "2026-01-01 00:00:00" } }',
    'entity_id',
  ),
  'subject.yaml': hook(
    'subject',
    '  - { id: g, connection: app, operation: get, params: { path: "/ads/{id}", object: ad }, body: \'{ "id": id }\' }',
    '{ nats: { subject: "app.ads.>" } }',
  ),
};

async function systems() {
  const [sf, shop, m3, app] = await Promise.all([
    startSalesforceEmulator(),
    startMagentoEmulator(),
    startM3Emulator(),
    startHttpEmulator({ token: 'app-token' }),
  ]);
  cleanup.push(() => Promise.all([sf.stop(), shop.stop(), m3.stop(), app.stop()]));
  return {
    SF_URL: sf.url,
    SF_ID: SALESFORCE_EMULATOR_CLIENT.clientId,
    SF_SECRET: SALESFORCE_EMULATOR_CLIENT.clientSecret,
    SHOP_URL: shop.url,
    SHOP_TOKEN: MAGENTO_EMULATOR_TOKEN,
    M3_URL: m3.url,
    M3_USER: M3_EMULATOR_USER.username,
    M3_PASSWORD: M3_EMULATOR_USER.password,
    APP_URL: app.url,
    APP_TOKEN: 'app-token',
    HOOK_SECRET: 'hook-secret',
    // The secrets and the emulators on loopback (the private hosts) the operator allows, as `junction run` needs.
    JUNCTION_ALLOWED_SECRETS: 'SF_*,SHOP_*,M3_*,APP_*,HOOK_SECRET',
    JUNCTION_ALLOWED_PRIVATE_HOSTS: [sf, shop, m3, app].map((e) => new URL(e.url).host).join(','),
  };
}

const problems = (rows: CheckRow[]) =>
  rows.filter((r) => r.status === 'problem').map((r) => `${r.kind} ${r.name} ${r.check}: ${r.message}`);
const row = (rows: CheckRow[], name: string, check: string) => rows.find((r) => r.name === name && r.check === check);

it('offline: names every unset or empty secret where it is referenced, and the integrations that use it', async () => {
  const specSet = compileOpsSpecs(FILES);
  const env = { ...(await systems()), SF_SECRET: '', SHOP_URL: 'not a url', HOOK_SECRET: undefined };
  const rows = await runChecks(specSet, { env });
  expect(problems(rows)).toEqual([
    'connection sf secret: SF_SECRET is not set (auth.client_secret of connection sf)',
    'connection shop url: base_url "not a url" is not an http(s) URL',
    'integration accounts secret: HOOK_SECRET is not set (webhook signature secret): every webhook would be refused with 500',
    'integration accounts connection: connection sf has 1 problem',
    'integration polled connection: connection shop has 1 problem',
  ]);
  // No network without connectors: no DNS, HTTP or auth rows.
  expect(rows.filter((r) => ['dns', 'http', 'auth'].includes(r.check))).toEqual([]);
});

it('online: every connector proves its URL and credentials with its own cheap call, and refusals are named', async () => {
  const specSet = compileOpsSpecs(FILES);
  const env = await systems();
  const connectors = createConnectorRegistry();
  const security = engineSecurity(env);
  const good = await runChecks(specSet, { env, connectors, security });
  expect(problems(good)).toEqual([]);
  expect(row(good, 'sf', 'auth')?.message).toMatch(/^GET \/services\/data\/v60\.0\/limits answered 200 in \d+ ms$/);
  expect(row(good, 'shop', 'auth')?.message).toMatch(/^GET \/rest\/default\/V1\/store\/storeConfigs answered 200/);
  expect(row(good, 'erp', 'auth')?.message).toMatch(
    /^GET \/m3api-rest\/v2\/execute\/CRS610MI\/LstByNumber\?maxrecs=1&CONO=100 answered 200/,
  );
  expect(row(good, 'app', 'auth')?.message).toMatch(/^GET \/health answered 200/);

  const closed = await freePort();
  const bad = await runChecks(specSet, {
    env: {
      ...env,
      SF_SECRET: 'wrong',
      SHOP_TOKEN: 'expired',
      M3_URL: `http://127.0.0.1:${closed}`,
      APP_URL: 'http://no-such-host.invalid',
    },
    connectors,
    security: engineSecurity({
      ...env,
      JUNCTION_ALLOWED_PRIVATE_HOSTS: `${env.JUNCTION_ALLOWED_PRIVATE_HOSTS},127.0.0.1:${closed}`,
    }),
  });
  expect(problems(bad)).toEqual([
    expect.stringMatching(/^connection app dns: no-such-host\.invalid does not resolve \((ENOTFOUND|EAI_AGAIN)\)$/),
    expect.stringMatching(
      new RegExp(`^connection erp http: http://127\\.0\\.0\\.1:${closed} does not answer: erp: .*ECONNREFUSED`),
    ),
    'connection sf auth: the credentials were refused: token request was refused (400): check the client id and secret',
    expect.stringMatching(/^connection shop auth: the credentials were refused: .*The consumer isn't authorized/),
    'integration accounts connection: connection sf failed its check',
    'integration polled connection: connection erp failed its check',
    'integration subject connection: connection app failed its check',
  ]);
});

it('a check path the system does not have says which option to set', async () => {
  // The connection `junction init` scaffolds has no check_path, so a new user's first run GETs `/`, which an API
  // (and the http emulator) need not answer.
  const specSet = compileOpsSpecs({
    ...FILES,
    'app.yaml': FILES['app.yaml'].replace('\noptions: { check_path: /health }', ''),
  });
  const env = await systems();
  const rows = await runChecks(specSet, { env, connectors: createConnectorRegistry(), security: engineSecurity(env) });
  expect(row(rows, 'app', 'auth')?.message).toBe(
    'GET options.check_path failed: no route GET /; set options.check_path to a route the system answers ' +
      '(its health or "who am I" route, such as /health)',
  );
});

it('reads a schedule cursor and tries a NATS subscription on a real broker', async () => {
  const nats: TestNatsServer = await startTestNatsServer();
  cleanup.push(() => nats.dispose());
  const nc = await connect({ servers: nats.url });
  cleanup.push(() => nc.close());
  const cursors = await new Kvm(nc).create('junction_cursors');
  const specSet = compileOpsSpecs(FILES);
  const env = await systems();
  const before = await runChecks(specSet, { env, nc, cursors });
  expect(row(before, 'polled', 'source')).toMatchObject({
    status: 'ok',
    message: 'no cursor stored yet: the first poll starts at "2026-01-01 00:00:00"',
  });
  expect(row(before, 'subject', 'source')).toMatchObject({ status: 'ok', message: 'subscribed to app.ads.>' });
  await cursors.put('polled', '2026-11-20 11:00:00');
  expect(row(await runChecks(specSet, { env, nc, cursors }), 'polled', 'source')?.message).toBe(
    'cursor 2026-11-20 11:00:00',
  );
  // A position as pollers store it: the cursor and the records seen at it; a snapshot: the last poll's records.
  await cursors.put('polled', JSON.stringify({ cursor: '2026-11-20 12:00:00', seen: [['2026-11-20 12:00:00', 'h']] }));
  const snapshot =
    '{ schedule: { connection: shop, operation: orders.search, every: 1m, records: items, snapshot: true, cursor: $string(entity_id) } }';
  const withSnapshot = compileOpsSpecs({
    ...FILES,
    'stock.yaml': hook('stock', STEP_READING_CUSTOMER, snapshot, 'entity_id'),
  });
  const first = await runChecks(withSnapshot, { env, nc, cursors });
  expect(row(first, 'stock', 'source')?.message).toBe('no snapshot stored yet: the first poll stores every record');
  await cursors.put(
    'stock',
    JSON.stringify({
      seen: [
        ['1', 'h1'],
        ['2', 'h2'],
      ],
    }),
  );
  const later = await runChecks(withSnapshot, { env, nc, cursors });
  expect([row(later, 'polled', 'source')?.message, row(later, 'stock', 'source')?.message]).toEqual([
    'cursor 2026-11-20 12:00:00',
    'snapshot of 2 records from the last poll',
  ]);
});

/** A webhook taking bodies up to 2 MiB, twice the test server's (default) max_payload. */
const BIG_BODIES = hook(
  'big',
  STEP_READING_CUSTOMER,
  '{ webhook: { max_body_bytes: 2097152, verify: { hmac_sha256: { header: X-Sig, secret: "${env:HOOK_SECRET}" } } } }',
);
const OVER_MAX_PAYLOAD =
  "max_body_bytes 2097152 is over the NATS server's max_payload of 1048576 bytes: a body over 1032192 bytes less " +
  'its headers (max_payload less 16384 kept for its dead-letter entry) is refused with 413 event-too-large; lower ' +
  'max_body_bytes or raise max_payload on the server to at least 2113536';

it("reads the NATS server's max_payload: a webhook taking larger bodies is a problem, the default 1 MiB is not", async () => {
  const nats = await startTestNatsServer();
  cleanup.push(() => nats.dispose());
  const nc = await connect({ servers: nats.url });
  cleanup.push(() => nc.close());
  const rows = await runChecks(compileOpsSpecs({ ...FILES, 'big.yaml': BIG_BODIES }), { env: {}, nc });
  expect(row(rows, 'big', 'source')).toEqual({
    kind: 'integration',
    name: 'big',
    check: 'source',
    status: 'problem',
    message: OVER_MAX_PAYLOAD,
  });
  expect(row(rows, 'accounts', 'source')).toMatchObject({ status: 'ok', message: 'webhook POST /hooks/accounts' });
});

it('the CLI prints the table or JSON and exits 1 on a problem; --offline makes no call', async () => {
  const env = await systems();
  const dir = await writeSpecs(FILES);
  for (const [name, value] of Object.entries({ ...env, JUNCTION_NATS_URL: '' })) vi.stubEnv(name, value);
  cleanup.push(async () => vi.unstubAllEnvs());
  const ok = await junction('check', dir, '--format', 'json');
  expect(ok.stderr).toBe('');
  expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, problems: 0 });
  expect(ok.code).toBe(0);
  // A blocked host's problem names the flag that allows it, and check takes that flag as run does.
  const hosts = env.JUNCTION_ALLOWED_PRIVATE_HOSTS.split(',');
  vi.stubEnv('JUNCTION_ALLOWED_PRIVATE_HOSTS', '');
  const blocked = await junction('check', dir, '--format', 'json');
  expect(blocked.code).toBe(1);
  expect(blocked.stdout).toContain(`the engine reaches it only when started with --allow-private-host ${hosts[0]}`);
  const allowed = await junction(
    'check',
    dir,
    '--format',
    'json',
    ...hosts.flatMap((h) => ['--allow-private-host', h]),
  );
  expect(JSON.parse(allowed.stdout)).toMatchObject({ ok: true, problems: 0 });
  expect(allowed.code).toBe(0);
  vi.stubEnv('SHOP_TOKEN', '');
  const offline = await junction('check', dir, '--offline');
  expect(offline.code).toBe(1);
  expect(offline.stdout.split('\n')[0]).toMatch(
    /^connection +shop +secret +problem +SHOP_TOKEN is not set \(auth\.token of connection shop\)$/,
  );
  expect(offline.stdout).not.toMatch(/ auth /);
  expect(offline.stderr).toBe('✗ 2 problems in 1 connection and 1 integration\n');
});

it('the online check refuses a secret the allowlist does not allow, as run does: nothing is resolved or sent', async () => {
  // A merged spec that puts a secret into a probe's host name would send it out (DNS, HTTP) when an operator checks.
  const requests: string[] = [];
  const { createServer: createHttpServer } = await import('node:http');
  const listener = createHttpServer((req, res) => {
    requests.push(`${req.method} ${req.headers.host}${req.url}`);
    res.end('{}');
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => new Promise((resolve) => listener.close(resolve)));
  const port = (listener.address() as { port: number }).port;
  const dir = await writeSpecs({
    'leak.yaml': connectionYaml('leak', 'http', 'http://127.0.0.1:${env:STOLEN}', 'options: { check_path: /health }\n'),
  });
  vi.stubEnv('STOLEN', String(port));
  vi.stubEnv('JUNCTION_ALLOWED_PRIVATE_HOSTS', `127.0.0.1:${port}`);
  vi.stubEnv('JUNCTION_NATS_URL', '');
  cleanup.push(async () => vi.unstubAllEnvs());
  for (const allowlist of [undefined, 'SHOP_*']) {
    if (allowlist === undefined) delete process.env.JUNCTION_ALLOWED_SECRETS;
    else vi.stubEnv('JUNCTION_ALLOWED_SECRETS', allowlist);
    const refused = await junction('check', dir);
    // Specs the engine would not run do not compile for check either (exit 1, a problem found, as for run).
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('leak.yaml:5:11  secret-not-allowed  ${env:STOLEN}: the engine does not allow it');
  }
  expect(requests).toEqual([]);
  // Allowed, the same check makes its call; offline, it needs no allowlist (nothing leaves the machine).
  vi.stubEnv('JUNCTION_ALLOWED_SECRETS', 'leak=STOLEN');
  const allowed = await junction('check', dir);
  expect(allowed.code).toBe(0);
  expect(requests).toEqual([`GET 127.0.0.1:${port}/health`]);
  delete process.env.JUNCTION_ALLOWED_SECRETS;
  expect((await junction('check', dir, '--offline')).code).toBe(0);
});

it('the engine shows an integration with an unset secret, or bodies over max_payload, as misconfigured, with the problem', async () => {
  const nats = await startTestNatsServer();
  cleanup.push(() => nats.dispose());
  const env = { ...(await systems()), SF_ID: '' };
  const wiring = createWiring({ env });
  const engine = await startEngine({
    specSet: compileOpsSpecs({ ...FILES, 'big.yaml': BIG_BODIES }),
    invoker: wiring.invokerFactory,
    natsUrl: nats.url,
    port: 0,
    host: '127.0.0.1',
    env,
    connectors: wiring.connectors,
    security: wiring.security,
    tuning: TEST_TUNING,
    logger: testLogger(),
  });
  cleanup.push(() => engine.stop());
  await engine.checks();
  const status = (await (await fetch(`${engine.operatorUrl}/api/status`)).json()) as {
    integrations: { name: string; status?: string; problems?: string[] }[];
  };
  expect(status.integrations.map((i) => [i.name, i.status ?? 'ok', i.problems])).toEqual([
    ['accounts', 'misconfigured', ['connection sf has 1 problem']],
    ['polled', 'ok', undefined],
    ['subject', 'ok', undefined],
    ['big', 'misconfigured', [OVER_MAX_PAYLOAD]],
  ]);
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function writeSpecs(files: Record<string, string>): Promise<string> {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'junction-check-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}
