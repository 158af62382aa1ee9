/**
 * The seed systems running for real on a spec directory: a nats-server (random port, temp store), the seed systems'
 * emulators (connectors/seed-systems.ts) and the engine on that directory, with the emulators' URLs and credentials
 * as its environment. The e2e and ops seed engines prepare the directory; this starts and stops what runs on it.
 */
import { startSeedSystems } from '../../connectors/seed-systems.js';
import type { SeedSystems } from '../../connectors/seed-systems.js';
import { compiledSpecSet, createWiring } from '../../engine/cli/wiring.js';
import { startEngine } from '../../engine/runtime/engine.js';
import type { Engine } from '../../engine/runtime/engine.js';
import type { RuntimeTuning } from '../../engine/runtime/runtime-options.js';
import { TEST_TUNING, testLogger } from '../runtime/helpers/runtime-harness.js';
import { startTestNatsServer } from './nats-server.js';
import type { TestNatsServer } from './nats-server.js';

export interface SeedWorld {
  nats: TestNatsServer;
  systems: SeedSystems;
  engine: Engine;
  /** Starts another engine on the same broker, specs and systems (a second process of the cluster). */
  startEngine(): Promise<Engine>;
  /** Stops the engine, the emulators and the nats-server (deleting its store); the spec directory is the caller's. */
  stop(): Promise<void>;
}

interface SeedWorldOptions {
  /** Added to TEST_TUNING. */
  tuning?: Partial<RuntimeTuning>;
  /** Run the workers role. @default true */
  workers?: boolean;
  /** Give the engine the connectors and security, so it probes each connection and runs reconciles. @default false */
  probeConnections?: boolean;
}

/** Starts a nats-server, the seed systems and the engine on spec directory `dir`. */
export async function startSeedWorld(dir: string, options: SeedWorldOptions = {}): Promise<SeedWorld> {
  const nats = await startTestNatsServer();
  const systems = await startSeedSystems();
  const wiring = createWiring({ env: systems.env });
  const specSet = await compiledSpecSet(wiring, dir);
  const engines: Engine[] = [];
  const start = async () => {
    const started = await startEngine({
      specSet,
      invoker: wiring.invokerFactory,
      streams: wiring.streamFactory,
      natsUrl: nats.url,
      env: systems.env,
      port: 0,
      host: '127.0.0.1',
      tuning: { ...TEST_TUNING, ...options.tuning },
      logger: testLogger(),
      ...(options.probeConnections ? { connectors: wiring.connectors, security: wiring.security } : {}),
      ...(options.workers === false ? { roles: { workers: false } } : {}),
    });
    engines.push(started);
    return started;
  };
  const engine = await start();
  return {
    nats,
    systems,
    engine,
    startEngine: start,
    stop: async () => {
      await Promise.all(engines.map((e) => e.stop()));
      await systems.stop();
      await nats.dispose();
    },
  };
}
