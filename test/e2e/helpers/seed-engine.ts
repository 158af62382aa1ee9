/**
 * The seed spec sets running for real (test/helpers/seed-world.ts): a nats-server, the seed systems' emulators and
 * the engine on a copy of the given seed spec sets (specs/magento-ff, specs/service-app-salesforce, specs/bng-m3),
 * with webhooks signed as each system signs them. `fastTimeouts` shortens the connections' timeouts so a timeout
 * fault costs a second, not twenty; `fastPolls` polls every schedule source each second.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postSigned } from '../../helpers/seed-webhooks.js';
import type { Sender } from '../../helpers/seed-webhooks.js';
import { startSeedWorld } from '../../helpers/seed-world.js';
import type { SeedWorld } from '../../helpers/seed-world.js';

const SPECS = fileURLToPath(new URL('../../../specs', import.meta.url));

/** A temp directory with the given seed spec sets (their spec tests left out). */
export function copySeedSpecs(sets: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'junction-seed-'));
  for (const set of sets)
    cpSync(join(SPECS, set), dir, { recursive: true, filter: (src) => !src.endsWith('.test.yaml') });
  return dir;
}

export interface SeedEngine extends SeedWorld {
  /** Sends a signed webhook to /hooks/<integration>; expects 202. */
  post(integration: string, body: unknown, sender: Sender): Promise<void>;
}

/** Starts everything on the given seed spec sets (directories under specs/). */
export async function startSeedEngine(
  sets: string[],
  options: {
    fastTimeouts?: boolean;
    fastPolls?: boolean;
    /** Changes the copy of a spec file (by its name) before the engine starts, e.g. a poll's initial cursor. */
    edit?: Record<string, (yaml: string) => string>;
  } = {},
): Promise<SeedEngine> {
  const dir = copySeedSpecs(sets);
  for (const [file, change] of Object.entries(options.edit ?? {}))
    writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
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
  const world = await startSeedWorld(dir);
  return {
    ...world,
    post: (integration, body, sender) => postSigned(world.engine.url!, integration, body, sender),
    stop: async () => {
      await world.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
