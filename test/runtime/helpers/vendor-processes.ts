/**
 * Real `junction run` child processes over vendor emulators: a Salesforce Change Data Capture stream
 * (`account-changes`) and a Magento poll (`magento-orders`), written to a temp spec directory, a real nats-server and
 * the generic HTTP emulator as the target (idempotent PUTs by id into `accounts` and `orders`).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startHttpEmulator } from '../../../connectors/http/emulator/index.js';
import type { HttpEmulator } from '../../../connectors/http/emulator/index.js';
import { startMagentoEmulator } from '../../../connectors/magento/emulator/index.js';
import type { MagentoEmulator } from '../../../connectors/magento/emulator/index.js';
import { startSalesforceEmulator } from '../../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../../connectors/salesforce/emulator/index.js';
import { JUNCTION_ARGS } from '../../cli/run-cli.js';
import { startTestNatsServer } from '../../helpers/nats-server.js';
import type { TestNatsServer } from '../../helpers/nats-server.js';
import { MAGENTO_CONNECTION, magentoEnv, salesforceConnection, salesforceEnv } from './vendor-connections.js';
import { TARGET_CONNECTION } from './vendor-engine.js';

const SPECS = {
  'connections/sf.yaml': salesforceConnection({ pubsub: true }),
  'connections/magento.yaml': MAGENTO_CONNECTION,
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

export interface JunctionProcess {
  child: ChildProcess;
  /** Resolves once the process has exited. */
  exit: Promise<void>;
  stderr(): string;
}

export interface VendorProcesses {
  nats: TestNatsServer;
  target: HttpEmulator;
  sf: SalesforceEmulator;
  magento: MagentoEmulator;
  /** Starts `junction run` on the specs and the shared broker, with extra CLI arguments. */
  run(...args: string[]): JunctionProcess;
  /** Writes (or changes) Magento order `id`; each write gets the next second as `updated_at`. */
  order(id: number, status: string): void;
  /** Inserts the Salesforce account `Restart <n>` (a change event). */
  account(n: number): void;
  /** What the target holds in a collection, by id. */
  stored(collection: 'accounts' | 'orders'): Map<string, Record<string, unknown>>;
  /** SIGKILLs the processes still running, stops everything and removes the spec directory. */
  dispose(): Promise<void>;
}

export async function startVendorProcesses(): Promise<VendorProcesses> {
  const nats = await startTestNatsServer();
  const target = await startHttpEmulator();
  const sf = await startSalesforceEmulator({ pubsub: true });
  const magento = await startMagentoEmulator();
  const dir = await mkdtemp(join(tmpdir(), 'junction-processes-'));
  for (const [path, text] of Object.entries(SPECS)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  const hosts = [target.url, sf.url, magento.url, sf.pubsubUrl!].map((u) => new URL(u).host).join(',');
  const env = {
    ...process.env,
    ...salesforceEnv(sf),
    ...magentoEnv(magento),
    TARGET_URL: target.url,
    JUNCTION_ALLOWED_SECRETS: 'SF_*,MAGENTO_*,TARGET_URL',
    JUNCTION_ALLOWED_PRIVATE_HOSTS: hosts,
    JUNCTION_LOG_LEVEL: 'warn',
  };
  const processes: JunctionProcess[] = [];
  let stamp = 0;
  return {
    nats,
    target,
    sf,
    magento,
    run: (...args) => {
      const child = spawn(
        process.execPath,
        [...JUNCTION_ARGS, 'run', dir, '--nats', nats.url, '--port', '0', '--operator-port', '0', ...args],
        { env, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const exit = new Promise<void>((r) => child.on('close', () => r()));
      const started = { child, exit, stderr: () => stderr };
      processes.push(started);
      return started;
    },
    order: (id, status) =>
      magento.state.orders.set(id, {
        entity_id: id,
        increment_id: `0000${id}`,
        status,
        updated_at: `2026-12-01 ${clock(stamp++)}`,
      }),
    account: (n) => sf.store.insert('Account', { Id: `001RSTR${String(n).padStart(8, '0')}`, Name: `Restart ${n}` }),
    stored: (collection) => target.collections.get(collection) ?? new Map(),
    dispose: async () => {
      for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(processes.map((p) => p.exit));
      await magento.stop();
      await sf.stop();
      await target.stop();
      await nats.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `hh:mm:ss` of the n-th second after 10:00:00. */
function clock(n: number): string {
  const pad = (v: number) => String(v).padStart(2, '0');
  return `${pad(10 + Math.floor(n / 3600))}:${pad(Math.floor(n / 60) % 60)}:${pad(n % 60)}`;
}
