/**
 * One seed engine shared by the tests of a file (or of a describe block): started (its own nats-server, emulators
 * and engine) before them, stopped after them with no dead letter left open, and, for fault tests, every fault
 * injected into the `faulted` systems checked used after each test.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { SeedSystems } from '../../../connectors/seed-systems.js';
import { expectFaultsUsed, stopWithoutDeadLetters } from './faults.js';
import { startSeedEngine } from './seed-engine.js';
import type { SeedEngine } from './seed-engine.js';

/** startSeedEngine's options, and the systems the tests fault. */
interface SharedSeedEngineOptions extends NonNullable<Parameters<typeof startSeedEngine>[1]> {
  /** The systems the tests inject faults into. */
  faulted?: (systems: SeedSystems) => { url: string }[];
}

/** Registers the hooks where it is called; the engine it returns reads the one started, inside the tests. */
export function sharedSeedEngine(sets: string[], options: SharedSeedEngineOptions = {}): SeedEngine {
  let started: SeedEngine | undefined;
  const current = (): SeedEngine => {
    if (!started) throw new Error('the seed engine is not running (it starts in beforeAll)');
    return started;
  };
  beforeAll(async () => {
    started = await startSeedEngine(sets, options);
  }, 60_000);
  if (options.faulted) {
    const faulted = options.faulted;
    afterEach(() => expectFaultsUsed(...faulted(current().systems)));
  }
  afterAll(async () => {
    if (started) await stopWithoutDeadLetters(started);
  });
  return {
    get nats() {
      return current().nats;
    },
    get systems() {
      return current().systems;
    },
    get engine() {
      return current().engine;
    },
    startEngine: () => current().startEngine(),
    post: (integration, body, sender) => current().post(integration, body, sender),
    stop: () => current().stop(),
  };
}
