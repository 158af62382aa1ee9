/**
 * Which engine code a bench runs. The package ships the tsc build (`npm run build` -> dist/, package.json `bin`, the
 * Dockerfile), so benches measure that by default. The sources through tsx cost more: tsx's esbuild transform keeps
 * function names, one `defineProperty` (`__name`) per named closure created. BENCH_ENGINE=source runs the sources.
 */
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { createWiring } from '../../engine/cli/wiring.js';
import type { startEngine } from '../../engine/runtime/engine.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Compiles the engine and connectors into dist/ as `npm run build` does. */
export function buildShippedEngine(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
}

interface BenchEngine {
  /** `dist` (the tsc build, as shipped) or `source` (engine/ through tsx). */
  code: 'dist' | 'source';
  /** One line for the bench output. */
  describe: string;
  createWiring: typeof createWiring;
  startEngine: typeof startEngine;
}

/** Loads the engine the bench runs in its own process: dist/ (built first) unless BENCH_ENGINE=source. */
export async function loadBenchEngine(): Promise<BenchEngine> {
  const source = process.env.BENCH_ENGINE === 'source';
  if (!source) buildShippedEngine();
  const base = source ? join(ROOT, 'engine') : join(ROOT, 'dist/engine');
  const extension = source ? 'ts' : 'js';
  // dist/ is build output, outside the import graph on purpose (tsc cannot see it, and it exists only once built);
  // the two modules load from the same directory, so the engine and its wiring are one copy of the code.
  // eslint-disable-next-line no-restricted-syntax
  const load = (path: string) => import(pathToFileURL(join(base, `${path}.${extension}`)).href);
  const [wiring, engine] = await Promise.all([load('cli/wiring'), load('runtime/engine')]);
  return {
    code: source ? 'source' : 'dist',
    describe: source
      ? 'engine code: engine/ sources through tsx (keeps function names; BENCH_ENGINE=source)'
      : 'engine code: dist/, the tsc build as shipped (npm run build; BENCH_ENGINE=source runs the sources)',
    createWiring: wiring.createWiring,
    startEngine: engine.startEngine,
  };
}
