/**
 * The Magento <-> FinancialForce seed specs (a temporary copy, optionally edited) running on a real nats-server
 * against the vendor emulators: the world of the go-live, dependency, backfill and reconcile tests.
 */
import { createHmac } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { HOOK_SECRETS, startSeedSystems } from '../../connectors/seed-systems.js';
import type { SeedSystems } from '../../connectors/seed-systems.js';
import { compiledSpecSet, createWiring } from '../../engine/cli/wiring.js';
import { startEngine } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import type { RuntimeTuning } from '../../engine/runtime/runtime-options.js';
import { startTestNatsServer } from '../helpers/nats-server.js';
import type { TestNatsServer } from '../helpers/nats-server.js';
import { TEST_TUNING, testLogger } from '../runtime/helpers/runtime-harness.js';

const SEED = fileURLToPath(new URL('../../specs/magento-ff', import.meta.url));

export interface SeedEngine {
  nats: TestNatsServer;
  systems: SeedSystems;
  engine: Engine;
  /** The spec directory the engine runs (a copy). */
  dir: string;
  /** Puts the emulators' URLs and credentials into process.env, for CLI commands run in this process. */
  stubEnv(): void;
  /** POSTs a signed webhook as Magento or FinancialForce would; returns the status. */
  post(integration: string, body: unknown, system?: 'magento' | 'ff'): Promise<number>;
  stop(): Promise<void>;
}

/** `edits`: per spec file, [search, replace] pairs applied to the copy before it is compiled. */
export async function startSeedEngine(
  options: { edits?: Record<string, [string, string][]>; tuning?: Partial<RuntimeTuning>; workers?: boolean } = {},
): Promise<SeedEngine> {
  const dir = await mkdtemp(join(tmpdir(), 'junction-seed-'));
  await cp(SEED, dir, { recursive: true });
  for (const [file, pairs] of Object.entries(options.edits ?? {})) {
    let text = await readFile(join(dir, file), 'utf8');
    for (const [search, replace] of pairs) {
      if (!text.includes(search)) throw new Error(`${file} has no ${JSON.stringify(search)} to replace`);
      text = text.replace(search, replace);
    }
    await writeFile(join(dir, file), text);
  }
  const nats = await startTestNatsServer();
  const systems = await startSeedSystems();
  const wiring = createWiring({ env: systems.env });
  const engine = await startEngine({
    specSet: await compiledSpecSet(wiring, dir),
    invoker: wiring.invokerFactory,
    streams: wiring.streamFactory,
    natsUrl: nats.url,
    env: systems.env,
    port: 0,
    host: '127.0.0.1',
    tuning: { ...TEST_TUNING, ...options.tuning },
    logger: testLogger(),
    connectors: wiring.connectors,
    security: wiring.security,
    ...(options.workers === false ? { roles: { workers: false } } : {}),
  });
  return {
    nats,
    systems,
    engine,
    dir,
    stubEnv: () => {
      for (const [name, value] of Object.entries(systems.env))
        if (value !== undefined && process.env[name] !== value) vi.stubEnv(name, value);
    },
    post: async (integration, body, system = 'magento') => {
      const raw = JSON.stringify(body);
      const signature =
        system === 'magento'
          ? createHmac('sha256', HOOK_SECRETS.magento).update(raw).digest('base64')
          : 'sha256=' + createHmac('sha256', HOOK_SECRETS.ff).update(raw).digest('hex');
      const res = await fetch(`${engine.url}/hooks/${integration}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [system === 'magento' ? 'X-Magento-Signature' : 'X-FF-Signature']: signature,
        },
        body: raw,
      });
      await res.arrayBuffer();
      return res.status;
    },
    stop: async () => {
      vi.unstubAllEnvs();
      await engine.stop().catch(() => undefined);
      await systems.stop();
      await nats.dispose();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
