/**
 * The seed spec sets running for real: a nats-server, the seed systems' emulators (connectors/seed-systems.ts) and
 * the engine on a copy of the given seed spec sets (specs/magento-ff, specs/service-app-salesforce, specs/bng-m3),
 * with webhooks signed as each system signs them. `fastTimeouts` shortens the connections' timeouts so a timeout
 * fault costs a second, not twenty; `fastPolls` polls every schedule source each second.
 */
import { createHmac } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { HOOK_SECRETS, startSeedSystems } from '../../../connectors/seed-systems.js';
import type { SeedSystems } from '../../../connectors/seed-systems.js';
import { compiledSpecSet, createWiring } from '../../../engine/cli/wiring.js';
import { startEngine } from '../../../engine/runtime/engine.js';
import type { Engine } from '../../../engine/runtime/engine.js';
import { startTestNatsServer } from '../../helpers/nats-server.js';
import type { TestNatsServer } from '../../helpers/nats-server.js';
import { TEST_TUNING, testLogger } from '../../runtime/helpers/runtime-harness.js';

const SPECS = fileURLToPath(new URL('../../../specs', import.meta.url));

/** Which system signs a webhook. */
export type Sender = keyof typeof HOOK_SECRETS;

/** How each system signs: its header and encoding (Magento base64, the others `sha256=` + hex). */
const SIGNING: Record<Sender, string> = {
  magento: 'X-Magento-Signature',
  ff: 'X-FF-Signature',
  app: 'X-App-Signature',
  bng: 'X-BNG-Signature',
  m3: 'X-M3-Signature',
};

function signature(sender: Sender, raw: string): string {
  const hmac = createHmac('sha256', HOOK_SECRETS[sender]).update(raw);
  return sender === 'magento' ? hmac.digest('base64') : 'sha256=' + hmac.digest('hex');
}

/** Sends a webhook signed as `sender` signs it to `<engineUrl>/hooks/<integration>`; expects 202. */
export async function postSigned(engineUrl: string, integration: string, body: unknown, sender: Sender) {
  const raw = JSON.stringify(body);
  const res = await fetch(`${engineUrl}/hooks/${integration}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNING[sender]]: signature(sender, raw) },
    body: raw,
  });
  expect(res.status, await res.clone().text()).toBe(202);
}

/** A temp directory with the given seed spec sets (their spec tests left out). */
export function copySeedSpecs(sets: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'junction-seed-'));
  for (const set of sets)
    cpSync(join(SPECS, set), dir, { recursive: true, filter: (src) => !src.endsWith('.test.yaml') });
  return dir;
}

export interface SeedEngine {
  nats: TestNatsServer;
  systems: SeedSystems;
  engine: Engine;
  /** Sends a signed webhook to /hooks/<integration>; expects 202. */
  post(integration: string, body: unknown, sender: Sender): Promise<void>;
  stop(): Promise<void>;
}

/** Starts everything on the given seed spec sets (directories under specs/). */
export async function startSeedEngine(
  sets: string[],
  options: { fastTimeouts?: boolean; fastPolls?: boolean } = {},
): Promise<SeedEngine> {
  const dir = copySeedSpecs(sets);
  if (options.fastTimeouts) {
    const connections = join(dir, 'connections');
    for (const file of readdirSync(connections)) {
      const path = join(connections, file);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/^timeout: .*$/m, 'timeout: 1s'));
    }
  }
  if (options.fastPolls)
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const path = join(dir, file);
      writeFileSync(path, readFileSync(path, 'utf8').replace(/^( {4}every:) .*$/m, '$1 1s'));
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
    tuning: TEST_TUNING,
    logger: testLogger(),
  });
  return {
    nats,
    systems,
    engine,
    post: (integration, body, sender) => postSigned(engine.url!, integration, body, sender),
    stop: async () => {
      await engine.stop();
      await systems.stop();
      await nats.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
