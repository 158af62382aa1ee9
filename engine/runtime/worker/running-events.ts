/**
 * The events this process is running an attempt of, by event id. The broker delivers an event again while its
 * attempt still runs when the attempt's `working()` heartbeats did not reach it (a network blackhole longer than the
 * ack wait) or when a broker restart forgot the delivery. A second attempt at the same moment would find no sent mark
 * and no record yet, and send a create twice; so a delivery of an event already running here waits for that attempt
 * instead (event-worker.ts decides what it does afterwards). One Map lookup per delivery.
 */
import type { InFlight } from './event-worker.js';

export interface RunningAttempt {
  /** The delivery the attempt runs for. */
  flight: InFlight;
  /** Settles when the attempt has ended, however it ended. */
  ended: Promise<void>;
}

export class RunningEvents {
  readonly #running = new Map<string, RunningAttempt>();

  /** The attempt this process is running for `eventId`, if any. */
  of(eventId: string): RunningAttempt | undefined {
    return this.#running.get(eventId);
  }

  /** Runs `attempt` as the event's attempt in this process; the caller checked `of` first (no await between). */
  run(eventId: string, flight: InFlight, attempt: () => Promise<void>): Promise<void> {
    const work = attempt();
    const running: RunningAttempt = { flight, ended: work.then(ignore, ignore) };
    this.#running.set(eventId, running);
    void running.ended.then(() => {
      if (this.#running.get(eventId) === running) this.#running.delete(eventId);
    });
    return work;
  }
}

function ignore(): void {}
