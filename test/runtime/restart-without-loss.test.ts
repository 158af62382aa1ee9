/**
 * Restart without loss: a real `junction run` child process consumes a Magento poll source and a Salesforce Change
 * Data Capture stream (real nats-server, emulators on loopback); it is SIGKILLed while both are mid-flight, more
 * records change while it is down, and a new process resumes from the stored cursor and replay id. Every record
 * reaches the target exactly once by the target's records (idempotent PUTs by id), with the latest values.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startHttpEmulator } from '../../connectors/http/emulator/index.js';
import { MAGENTO_EMULATOR_TOKEN, startMagentoEmulator } from '../../connectors/magento/emulator/index.js';
import { SALESFORCE_EMULATOR_CLIENT, startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { JUNCTION_ARGS } from '../cli/run-cli.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import { waitFor } from './helpers/runtime-harness.js';
import { TARGET_CONNECTION } from './helpers/vendor-engine.js';

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const SPECS = {
  'connections/sf.yaml': `apiVersion: junction/v1
kind: Connection
name: sf
type: salesforce
base_url: \${env:SF_URL}
auth: { type: oauth2_client_credentials, token_url: /services/oauth2/token, client_id: "\${env:SF_ID}", client_secret: "\${env:SF_SECRET}" }
options: { pubsub_url: "\${env:SF_PUBSUB_URL}" }
`,
  'connections/magento.yaml': `apiVersion: junction/v1
kind: Connection
name: magento
type: magento
base_url: \${env:MAGENTO_URL}
auth: { type: magento_token, token: "\${env:MAGENTO_TOKEN}" }
`,
  'connections/target.yaml': TARGET_CONNECTION,
  'accounts.yaml': `apiVersion: junction/v1
kind: Integration
name: account-changes
source: { stream: { connection: sf, stream: change_events, params: { topic: /data/AccountChangeEvent }, start: earliest, batch_size: 5 } }
key: Id
steps:
  - { id: write, connection: target, operation: put, params: { path: "/accounts/{id}", object: account }, body: '{ "id": Id, "name": Name }' }
owns: [{ connection: target, object: account, fields: ["*"] }]
`,
  'orders.yaml': `apiVersion: junction/v1
kind: Integration
name: magento-orders
source:
  schedule: { connection: magento, operation: orders.changes, params: { since: $cursor, page_size: 7 }, every: 100ms, cursor: updated_at, initial_cursor: "2026-11-30 00:00:00" }
key: $string(entity_id)
when: entity_id >= 4000
steps:
  - { id: write, connection: target, operation: put, params: { path: "/orders/{id}", object: order }, body: '{ "id": $string(entity_id), "status": status }' }
owns: [{ connection: target, object: order, fields: ["*"] }]
`,
};

it('SIGKILL mid-flight, restart: every polled and streamed record reaches the target exactly once', async () => {
  const nats = await startTestNatsServer();
  const target = await startHttpEmulator();
  const sf = await startSalesforceEmulator({ pubsub: true });
  const magento = await startMagentoEmulator();
  cleanup.push(
    () => nats.dispose(),
    () => target.stop(),
    () => sf.stop(),
    () => magento.stop(),
  );
  // A slow target keeps events in flight when the process dies.
  target.fail({ delayMs: 40, times: 1_000_000 });
  const dir = await mkdtemp(join(tmpdir(), 'junction-restart-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(SPECS)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  let stamp = 0;
  const order = (id: number, status: string) =>
    magento.state.orders.set(id, {
      entity_id: id,
      increment_id: `0000${id}`,
      status,
      updated_at: `2026-12-01 10:${String(Math.floor(stamp / 60)).padStart(2, '0')}:${String(stamp++ % 60).padStart(2, '0')}`,
    });
  const account = (n: number) =>
    sf.store.insert('Account', { Id: `001RSTR${String(n).padStart(8, '0')}`, Name: `Restart ${n}` });
  for (let n = 0; n < 30; n++) {
    order(4000 + n, 'processing');
    account(n);
  }

  const hosts = [target.url, sf.url, magento.url, sf.pubsubUrl!].map((u) => new URL(u).host).join(',');
  const env = {
    ...process.env,
    ...{
      SF_URL: sf.url,
      SF_ID: SALESFORCE_EMULATOR_CLIENT.clientId,
      SF_SECRET: SALESFORCE_EMULATOR_CLIENT.clientSecret,
    },
    ...{ SF_PUBSUB_URL: sf.pubsubUrl!, MAGENTO_URL: magento.url, MAGENTO_TOKEN: MAGENTO_EMULATOR_TOKEN },
    TARGET_URL: target.url,
    JUNCTION_ALLOWED_SECRETS: 'SF_*,MAGENTO_*,TARGET_URL',
    JUNCTION_ALLOWED_PRIVATE_HOSTS: hosts,
    JUNCTION_LOG_LEVEL: 'warn',
  };
  const run = () => {
    const child = spawn(
      process.execPath,
      [...JUNCTION_ARGS, 'run', dir, '--nats', nats.url, '--port', '0', '--operator-port', '0'],
      { env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exit = new Promise<void>((r) => child.on('close', () => r()));
    cleanup.push(() => (child.kill('SIGKILL'), exit));
    return { child, exit, stderr: () => stderr };
  };
  const stored = (collection: string) => target.collections.get(collection) ?? new Map();

  const first = run();
  await waitFor(
    () => stored('orders').size >= 8 && stored('accounts').size >= 8,
    () => `both sources mid-flight (${first.stderr()})`,
    60_000,
  );
  first.child.kill('SIGKILL');
  await first.exit;
  const delivered = { orders: stored('orders').size, accounts: stored('accounts').size };
  // While it is down: new records, and changes to ones already delivered.
  for (let n = 30; n < 40; n++) {
    order(4000 + n, 'processing');
    account(n);
  }
  for (let n = 0; n < 5; n++) order(4000 + n, 'complete');

  const second = run();
  await waitFor(
    () =>
      stored('orders').size === 40 &&
      stored('accounts').size === 40 &&
      [...stored('orders').values()].filter((o) => o.status === 'complete').length === 5,
    () => `all records after the restart (${second.stderr()})`,
    90_000,
  );
  expect(delivered.orders).toBeLessThan(40);
  expect(delivered.accounts).toBeLessThan(40);
  const orders = [...stored('orders').values()].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  expect(orders.map((o) => o.id)).toEqual(Array.from({ length: 40 }, (_, n) => String(4000 + n)));
  expect(orders.map((o) => o.status)).toEqual([...Array(5).fill('complete'), ...Array(35).fill('processing')]);
  const names = [...stored('accounts').values()].map((a) => a.name).sort();
  expect(names).toEqual(Array.from({ length: 40 }, (_, n) => `Restart ${n}`).sort());
  const ids = new Set(
    sf
      .records('Account')
      .filter((a) => String(a.Name).startsWith('Restart'))
      .map((a) => a.Id),
  );
  expect(new Set(stored('accounts').keys())).toEqual(ids);
  // Figures, not assertions: how many writes the kill made the engine repeat (idempotent PUTs by id).
  const puts = target.requests.filter((r) => r.method === 'PUT').length;
  process.stdout.write(`restart-without-loss: ${puts} PUTs for 85 changes (${puts - 85} repeated after the kill)\n`);
}, 240_000);
