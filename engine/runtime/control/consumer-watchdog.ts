/**
 * Frees consumers stuck on a phantom (broker/phantom-pending.ts). Every `intervalMs` one engine of the cluster (a
 * lease) checks the consumers of the active integrations; one seen with the same phantom on two rounds in a row has
 * not moved for a whole round while the event it waits for does not exist, and is deleted and created again with its
 * own settings. The new consumer starts at the oldest event still stored for its subject (the work-queue stream keeps
 * only unacked events), so nothing is skipped; an event delivered again is harmless (ledger and checkpoints).
 * The retry consumer acks out of order, so tickets it acked can stay stored above its ack floor after a crash: only
 * a ticket that is still its key's current one counts as real work there (the 100,000-event soak's retry consumer
 * kept 11 phantoms behind 29 such leftovers).
 * Phantoms come from a broker restart, so for two minutes after the engine's connection comes back the rounds run
 * every 5 s (or `intervalMs` if shorter): a partition is freed about 10 s after the broker returns instead of up to
 * two intervals (the 1,000,000-event soak's partitions stalled for 1-2 minutes after every broker kill).
 */
import type { ConsumerConfig, JetStreamManager, StoredMsg } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';
import { phantomPending } from '../broker/phantom-pending.js';
import type { LiveMessage } from '../broker/phantom-pending.js';
import { ensureConsumer, partitionConsumerConfig, retryConsumerConfig } from '../broker/provision.js';
import { EVENTS_STREAM } from '../broker/subjects.js';
import type { RuntimeTuning } from '../runtime-options.js';
import type { SpecRegistry } from '../spec-registry.js';
import { parseTicket } from '../worker/key-parking.js';
import type { KeyParking } from '../worker/key-parking.js';
import type { LeaseClock } from './broker-clock.js';
import { takeLease } from './kv-lease.js';

const LEASE_KEY = 'consumer-watchdog-lease';
const QUICK_ROUND_MS = 5_000;
const QUICK_WINDOW_MS = 120_000;

interface ConsumerWatchdogDeps {
  jsm: JetStreamManager;
  specs: SpecRegistry;
  control: KV;
  /** Parked keys: which retry tickets are current. */
  parking: KeyParking;
  /** This process, as the lease holder. */
  holder: string;
  /** The broker's clock, as this process estimates it: the lease's `until` is by it. */
  clock: LeaseClock;
  partitions: number;
  tuning: RuntimeTuning;
  registry: Registry;
  log: Logger;
}

export class ConsumerWatchdog {
  /** Consumers with a phantom last round: name -> its pending range. */
  #suspects = new Map<string, string>();
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #stopped = false;
  /** Until when rounds run every QUICK_ROUND_MS (after a reconnect). */
  #quickUntil = 0;
  readonly #recreated: Counter<'integration'>;

  constructor(private readonly deps: ConsumerWatchdogDeps) {
    this.#recreated = new Counter({
      name: 'junction_consumers_recreated_total',
      help: 'Consumers recreated because they waited for an event that no longer exists (broker state rewound by a crash).',
      labelNames: ['integration'],
      registers: [deps.registry],
    });
  }

  start(): void {
    if (this.deps.tuning.stuckConsumerCheckMs > 0) this.#schedule();
  }

  /** The broker may have come back from a crash with rewound consumers: check often for a while. */
  afterReconnect(): void {
    if (this.#stopped || this.deps.tuning.stuckConsumerCheckMs <= 0) return;
    this.#quickUntil = Date.now() + QUICK_WINDOW_MS;
    if (this.#tick) return; // the round in progress schedules the next one
    clearTimeout(this.#timer);
    this.#schedule();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#tick;
  }

  #schedule(): void {
    const everyMs = this.deps.tuning.stuckConsumerCheckMs;
    const delay = Date.now() < this.#quickUntil ? Math.min(QUICK_ROUND_MS, everyMs) : everyMs;
    this.#timer = setTimeout(() => {
      this.#tick = this.tick()
        .catch((error: Error) => this.deps.log.warn({ err: error }, 'stuck consumer check failed'))
        .finally(() => {
          this.#tick = undefined;
          if (!this.#stopped) this.#schedule();
        });
    }, delay);
    this.#timer.unref();
  }

  /** One round: suspect the consumers with a phantom, recreate those already suspected with the same one. */
  async tick(): Promise<void> {
    const { jsm, control, holder, clock, tuning, log } = this.deps;
    if (!(await takeLease(control, LEASE_KEY, holder, tuning.stuckConsumerCheckMs * 3, clock))) {
      this.#suspects.clear();
      return;
    }
    const suspects = new Map<string, string>();
    for (const integration of this.deps.specs.active.integrations.values()) {
      const configs = Array.from({ length: this.deps.partitions }, (_, p) =>
        partitionConsumerConfig(integration, p, tuning),
      );
      const retry = retryConsumerConfig(integration, tuning);
      for (const config of [...configs, retry]) {
        const name = config.durable_name!;
        const live = config === retry ? currentTicket(this.deps.parking, integration.name) : undefined;
        // A consumer not provisioned yet (a spec set being applied) has nothing pending.
        const range = await phantomPending(jsm, name, config.filter_subject!, live).catch(() => undefined);
        if (!range) continue;
        const seen = `${range.ackFloor}-${range.delivered}`;
        if (this.#suspects.get(name) !== seen) {
          suspects.set(name, seen);
          continue;
        }
        await recreate(jsm, config);
        this.#recreated.inc({ integration: integration.name });
        log.warn(
          { integration: integration.name, consumer: name, ackFloor: range.ackFloor, delivered: range.delivered },
          'consumer was waiting for an event that no longer exists (broker state rewound by a crash); recreated it',
        );
      }
    }
    this.#suspects = suspects;
  }
}

/** A stored retry ticket is real work only while it is its key's current ticket (stale ones are acked on sight). */
export function currentTicket(parking: KeyParking, integration: string): LiveMessage {
  return async (msg: StoredMsg) => {
    const ticket = parseTicket(msg.header, integration);
    return ticket !== undefined && (await parking.isCurrent(ticket));
  };
}

/**
 * Between the delete and the create, the engines' pools see the consumer gone (their pulls get 409 "Consumer
 * Deleted") and may create it first: the create here must then find it made with the same settings, not fail.
 */
async function recreate(jsm: JetStreamManager, config: Partial<ConsumerConfig>): Promise<void> {
  await jsm.consumers.delete(EVENTS_STREAM, config.durable_name!);
  await ensureConsumer(jsm, config);
}
