/**
 * A start of an integration's consumers that fails (a consumer not there yet, a JetStream request timing out during
 * a spec swap) must leave the integration startable: the next start consumes every partition and the retry consumer.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TUNING } from '../../engine/runtime/runtime-options.js';
import { ConsumerPool } from '../../engine/runtime/worker/consumer-pool.js';
import type { WorkerContext } from '../../engine/runtime/worker/event-worker.js';
import { RunningEvents } from '../../engine/runtime/worker/running-events.js';

/** A JetStream client whose first lookup of `failing` fails as a missing consumer does; records what is consumed. */
function jetStream(failing: string) {
  const consuming = new Set<string>();
  let failed = false;
  const js = {
    consumers: {
      get: async (_stream: string, name: string) => {
        if (name === failing && !failed) {
          failed = true;
          throw new Error('consumer not found');
        }
        return {
          consume: async () => (
            consuming.add(name),
            { close: async () => void consuming.delete(name), status: async function* () {} }
          ),
        };
      },
    },
  };
  return { js, consuming };
}

const ctx = {
  running: new RunningEvents(),
  log: pino({ level: 'silent' }),
  tuning: DEFAULT_TUNING,
} as unknown as WorkerContext;

describe('ConsumerPool.start', () => {
  it('can start an integration again after a start that failed', async () => {
    const { js, consuming } = jetStream('orders-p1');
    const pool = new ConsumerPool(js as never, {} as never, ctx);
    await expect(pool.start('orders', 2)).rejects.toThrow('consumer not found');
    // The consumers it did open are closed again: nothing half-started keeps pulling.
    expect([...consuming]).toEqual([]);
    await pool.start('orders', 2);
    expect([...consuming].sort()).toEqual(['orders-p0', 'orders-p1', 'orders-retry']);
  });
});
