/**
 * An engine over real connectors and vendor emulators: specs written to a temp directory, compiled by the CLI's
 * wiring, a real nats-server, and the generic HTTP emulator as the target that records what each event wrote.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { expect } from 'vitest';
import { startHttpEmulator } from '../../../connectors/http/emulator/index.js';
import { SALESFORCE_EMULATOR_CLIENT } from '../../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../../connectors/salesforce/emulator/index.js';
import type { HttpEmulator } from '../../../connectors/http/emulator/index.js';
import { compiledSpecSet, createWiring } from '../../../engine/cli/wiring.js';
import { startEngine } from '../../../engine/runtime/engine.js';
import type { Engine } from '../../../engine/runtime/engine.js';
import type { CompiledSpecSet } from '../../../engine/compiler/compiled-spec.js';
import type { RuntimeTuning } from '../../../engine/runtime/runtime-options.js';
import { startTestNatsServer } from '../../helpers/nats-server.js';
import type { TestNatsServer } from '../../helpers/nats-server.js';
import { TEST_TUNING, testLogger, waitFor } from './runtime-harness.js';

export interface VendorEngine {
  nats: TestNatsServer;
  target: HttpEmulator;
  engine: Engine;
  dir: string;
  /** Bodies the target received at POST /<collection>, in arrival order. */
  received(collection: string): Record<string, unknown>[];
  /** Stops the engine only (the broker and its KV stay) and starts it again, on `files` rewritten when given. */
  restart(files?: Record<string, string>): Promise<Engine>;
  /** Rewrites `files` and compiles the spec set again (for `engine.applySpecSet`, as a spec sync does). */
  compile(files: Record<string, string>): Promise<CompiledSpecSet>;
  /** Starts another engine on the same broker and the specs as last compiled (a second node); disposed with it. */
  another(): Promise<Engine>;
  dispose(): Promise<void>;
}

/** The connection of the target, for the specs' steps (`connection: target`, operation `post`). */
export const TARGET_CONNECTION = `apiVersion: junction/v1
kind: Connection
name: target
type: http
base_url: \${env:TARGET_URL}
auth: { type: none }
`;

/** Writes `files` (path -> YAML) plus the target connection, compiles them and starts an engine on them. */
export async function startVendorEngine(
  files: Record<string, string>,
  env: NodeJS.ProcessEnv,
  tuning: Partial<RuntimeTuning> = {},
  /** Where the engine logs (a test that reads its warnings passes its own). */
  logger: Logger = testLogger(),
): Promise<VendorEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-vendor-'));
  const nats = await startTestNatsServer();
  const target = await startHttpEmulator();
  // As an operator would: the emulators on loopback (every *_URL given) are the private hosts connections may reach.
  const urls = [target.url, ...Object.entries(env).flatMap(([k, v]) => (k.endsWith('_URL') && v ? [v] : []))];
  const fullEnv = {
    ...process.env,
    ...env,
    TARGET_URL: target.url,
    JUNCTION_ALLOWED_PRIVATE_HOSTS: urls.flatMap((u) => URL.parse(u)?.host || []).join(','),
  };
  const write = async (written: Record<string, string>) => {
    for (const [path, text] of Object.entries(written)) {
      await mkdir(dirname(join(dir, path)), { recursive: true });
      await writeFile(join(dir, path), text);
    }
  };
  await write({ ...files, 'connections/target.yaml': TARGET_CONNECTION });
  const wiring = createWiring({ env: fullEnv });
  let specSet = await compiledSpecSet(wiring, dir);
  const start = () =>
    startEngine({
      specSet,
      invoker: wiring.invokerFactory,
      streams: wiring.streamFactory,
      natsUrl: nats.url,
      env: fullEnv,
      security: wiring.security,
      port: 0,
      host: '127.0.0.1',
      tuning: { ...TEST_TUNING, ...tuning },
      logger,
    });
  const others: Engine[] = [];
  const compile = async (changed: Record<string, string>) => {
    await write(changed);
    return (specSet = await compiledSpecSet(wiring, dir));
  };
  const handle: VendorEngine = {
    nats,
    target,
    dir,
    engine: await start(),
    received: (collection) =>
      target.requests
        .filter((r) => r.method === 'POST' && r.path === `/${collection}`)
        .map((r) => r.body as Record<string, unknown>),
    restart: async (changed) => {
      await handle.engine.stop();
      if (changed) await compile(changed);
      handle.engine = await start();
      return handle.engine;
    },
    compile,
    another: async () => {
      const engine = await start();
      others.push(engine);
      return engine;
    },
    dispose: async () => {
      for (const engine of others) await engine.stop();
      await handle.engine.stop();
      await target.stop();
      await nats.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** How many times each value of `field` arrived. */
export function countBy(rows: Record<string, unknown>[], field: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(String(row[field]), (counts.get(String(row[field])) ?? 0) + 1);
  return counts;
}

/** An access token of the Salesforce emulator's integration client. */
async function salesforceToken(url: string): Promise<string> {
  const res = await fetch(`${url}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      ...{ client_id: SALESFORCE_EMULATOR_CLIENT.clientId, client_secret: SALESFORCE_EMULATOR_CLIENT.clientSecret },
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Changes a record through the emulator's REST API, as a user or another integration would. */
export async function patchSalesforceRecord(
  url: string,
  sobject: string,
  id: string,
  body: Record<string, unknown>,
): Promise<void> {
  const res = await fetch(`${url}/services/data/v60.0/sobjects/${sobject}/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${await salesforceToken(url)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(204);
}

/** How often the engine read this record back by its id (the enrichment of its change events). */
export const enrichmentReads = (sf: SalesforceEmulator, id: string) =>
  sf.requests.filter((r) => r.path.endsWith('/query') && String(r.query.q).includes(`'${id}'`)).length;

/**
 * Waits until the record is read back more than `before` times: a change event of it was enriched, and it is stored
 * with what that read found, so a later change is no part of it.
 */
export async function changeEventEnriched(sf: SalesforceEmulator, id: string, before = 0): Promise<void> {
  await waitFor(() => enrichmentReads(sf, id) > before, `a change event of ${id} enriched`);
}

/** Creates a record through the emulator's REST API, as a user or another integration would; its id. */
export async function createSalesforceRecord(url: string, sobject: string, body: Record<string, unknown>) {
  const res = await fetch(`${url}/services/data/v60.0/sobjects/${sobject}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await salesforceToken(url)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

/** Runs subrequests as one allOrNone composite (one transaction) through the emulator's REST API; their answers. */
export async function salesforceTransaction(url: string, compositeRequest: Record<string, unknown>[]) {
  const res = await fetch(`${url}/services/data/v60.0/composite`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await salesforceToken(url)}`, 'content-type': 'application/json' },
    body: JSON.stringify({ allOrNone: true, compositeRequest }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { compositeResponse: { httpStatusCode: number; body: { id?: string } }[] })
    .compositeResponse;
}
