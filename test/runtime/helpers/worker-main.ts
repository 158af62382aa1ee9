/**
 * A worker-only engine in a child process, for the fault cases that SIGKILL or SIGTERM a worker. Configured by the
 * JUNCTION_TEST_WORKER environment variable (JSON); prints "ready" once it consumes. Asked `metrics` on stdin, it
 * prints `metrics <its Prometheus text as a JSON string>` (the soak counts the duplicate windows with it).
 */
import { createInterface } from 'node:readline';
import { existsSync, writeFileSync } from 'node:fs';
import { startEngine } from '../../../engine/runtime/engine.js';
import type { StepInvoker } from '../../../engine/execute/execution-types.js';
import type { RuntimeTuning } from '../../../engine/runtime/runtime-options.js';
import { httpTestInvoker } from './http-invoker.js';
import { testLogger } from './runtime-harness.js';
import { compileRuntimeSpecs } from './runtime-specs.js';
import { transformEngine } from '../../../engine/transform/select-engine.js';
import type { TransformEngineName } from '../../../engine/transform/select-engine.js';

export interface WorkerConfig {
  natsUrl: string;
  targetUrl: string;
  integrations: string[];
  tuning: Partial<RuntimeTuning>;
  /**
   * Fault 2: the first worker to be about to call the target for this record key kills itself (once, via a marker
   * file).
   */
  killBeforeCall?: { key: string; marker: string };
  /** The JSONata engine as shipped (the runtime's guards) instead of the tests' guarded jsonata-js. */
  transformEngine?: TransformEngineName;
  /** The target connection's call timeout (`2s` unless given). */
  timeout?: string;
  /** This process's clock runs this far ahead of the others' (`Date.now`): clock drift between engines. */
  clockAheadMs?: number;
  /** The engine's machine identity in the partition group (null: none, as an engine on another machine). */
  machineIdentity?: string | null;
}

const config = JSON.parse(process.env.JUNCTION_TEST_WORKER ?? '{}') as WorkerConfig;
if (config.clockAheadMs) {
  const now = Date.now;
  Date.now = () => now() + config.clockAheadMs!;
}
const specSet = compileRuntimeSpecs(config.targetUrl, config.integrations, {
  engine: config.transformEngine && transformEngine(config.transformEngine),
  timeout: config.timeout,
});

const invoker = (set: typeof specSet): StepInvoker => {
  const real = httpTestInvoker(set);
  return (step, call, context) => {
    const kill = config.killBeforeCall;
    if (kill && (call.body as { key?: string } | undefined)?.key === kill.key && !existsSync(kill.marker)) {
      writeFileSync(kill.marker, String(process.pid));
      process.kill(process.pid, 'SIGKILL');
    }
    return real(step, call, context);
  };
};

const engine = await startEngine({
  specSet,
  invoker,
  natsUrl: config.natsUrl,
  roles: { http: false, sources: false, workers: true },
  tuning: config.tuning,
  logger: testLogger(),
  ...(config.machineIdentity === undefined ? {} : { machineIdentity: config.machineIdentity }),
});
process.once('SIGTERM', () => {
  void engine.stop().then(() => process.exit(0));
});
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'metrics')
    void engine.metrics.metrics().then((text) => process.stdout.write(`metrics ${JSON.stringify(text)}\n`));
});
process.stdout.write('ready\n');
