/**
 * Runs the partition consumers of this process: one `consume()` with a callback per partition of each integration
 * (the fastest client API), the set of in-flight events with their heartbeat, and the drain of a graceful stop.
 */
import type { ConsumerConfig, ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { processEvent } from './event-worker.js';
import type { InFlight, WorkerContext } from './event-worker.js';
import { EVENTS_STREAM, parseEventSubject } from '../broker/subjects.js';
import {
  ensureConsumer,
  isConsumerNotFound,
  partitionConsumerConfig,
  retryConsumerConfig,
} from '../broker/provision.js';
import { decideFate } from './error-fate.js';
import { settle } from './attempt-finish.js';
import { PullStops } from './stop-pull.js';
import type { PartitionPuller } from '../control/partition-assignment.js';

/**
 * Every consumer's pulls (partitions and parked keys' tickets). A pull asks for up to 64 messages, and nats.js asks
 * for 32 more once 32 have arrived: one pull request per 32 deliveries. The client's rule (re-pull below 75 % of
 * `max_messages`) with the 4 a partition had before sent a pull of 1 for every event, one message in twelve of an
 * event's broker traffic (docs/runtime.md, "Broker messages per event"). A large batch hoards nothing: a partition's
 * `max_ack_pending` of 1 lets the broker hand out one message at a time whatever the batch, nats-server puts a pull
 * with messages left at the back of the consumer's queue after each message (so processes take turns), and it drops
 * a pull whose inbox nobody listens to any more (a stopped or dead process). Pulls expire after 5 s (the client's
 * default is 30 s): a pull that lived on a consumer leader that died is noticed after two missed heartbeats, so a
 * partition resumes within seconds of a failover, not a minute.
 *
 * `bind`: when heartbeats are missed, and after a reconnect, nats.js (`@nats-io/jetstream` 3.4.0 `lib/consumer.js`,
 * `resetPending`) pulls again at once instead of first asking for the consumer's info. That request made during a
 * network blackhole, which the connection has not noticed yet, times out, is tried again only after a back-off of
 * `expires`, and the reset after the reconnect is skipped while it is in progress: a partition waited 8-11 s after
 * the heal for its first delivery, 0.06-0.16 s with `bind` (docs/runtime.md, "What these tests found"). A missing
 * consumer is found by the pool itself (`#check`).
 */
const PULL = { max_messages: 64, threshold_messages: 32, expires: 5_000, bind: true } as const;

/**
 * One consumer's pulls. A partition consumer whose state the broker keeps in memory is gone after a broker restart,
 * and a pull to a consumer that does not exist gets no answer at all (nats-server 2.9.10 drops it in `apiDispatch`:
 * no 404, no 503), so the only sign is the pull's missed heartbeats. Then, and after every reconnect, the pool asks
 * for the consumer's info; one that is not found (10014) is created again with its settings (ensureConsumer) and
 * pulled from at once.
 */
interface ConsumerLoop {
  readonly integration: string;
  /** The partition it pulls from; undefined for the retry consumer (tickets). */
  readonly partition?: number;
  readonly config: Partial<ConsumerConfig>;
  messages?: ConsumerMessages;
  /** The check in progress: at most one per consumer, however many heartbeats are missed meanwhile. */
  checking?: Promise<void>;
  stopped: boolean;
}

/**
 * The pull notifications after which the pool checks that its consumer still exists. Not a pull's 409 "Consumer
 * Deleted": whoever deleted it (the watchdog, recreating it) creates it again at once, and a create racing that
 * delete made nats-server 2.9.10 fail the delete ("unlinkat ... directory not empty") with a file-backed consumer;
 * if nobody creates it, the pull's heartbeats stop and the check follows within 5 s.
 */
const GONE_SIGNS = new Set(['heartbeats_missed', 'consumer_not_found', 'no_responders']);

/**
 * A fixed share of the partitions: those `p` with `p mod of = index`, for an embedding program that splits them
 * itself. Engines normally share them through the partition group (control/partition-assignment.ts), which moves a
 * dead engine's partitions to the live ones; an engine with a fixed share is no member of it.
 *
 * Why a share: nats-server hands a partition's next event to the pull at the front of the consumer's queue and puts a
 * pull with messages left at its back after each message, so two processes pulling from the same partition take turns,
 * event by event. The one holding fewer events finishes them sooner and so hands its partitions over to the other,
 * which ends up holding nearly all of them while the first waits with nothing to do: two workers delivered little
 * more than one (docs/performance.md, "Workers 1 -> 2, session 17"). With a share each partition stays with one worker.
 */
export interface PartitionShare {
  index: number;
  of: number;
}

export class ConsumerPool implements PartitionPuller {
  readonly #running = new Map<string, ConsumerLoop[]>();
  /**
   * The partitions the partition group gave this engine (takePartitions/releasePartitions); undefined without the
   * group: every partition, or the fixed share.
   */
  #assigned: Set<number> | undefined;
  #partitions = 0;
  readonly #inFlight = new Set<InFlight>();
  readonly #stops = new PullStops();
  readonly #idle = new Set<() => void>();
  #heartbeat: NodeJS.Timeout | undefined;
  #stopping = false;
  /** Whether this worker said it has no partitions (once, not per integration). */
  #saidNoShare = false;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly ctx: WorkerContext,
    private readonly share?: PartitionShare,
    /** Pull only what the partition group gives this engine (none until it does). */
    grouped = false,
  ) {
    if (grouped) this.#assigned = new Set();
  }

  /** The partitions this engine pulls from, of `partitions`. */
  ownPartitions(partitions: number): number[] {
    if (!this.#assigned) return ownPartitions(partitions, this.share);
    return [...this.#assigned].filter((p) => p < partitions).sort((a, b) => a - b);
  }

  /** The partition group gave this engine these partitions: pull them for every running integration. */
  async take(partitions: number[]): Promise<void> {
    this.#assigned ??= new Set();
    const fresh = partitions.filter((p) => !this.#assigned!.has(p));
    for (const p of fresh) this.#assigned.add(p);
    if (this.#stopping || fresh.length === 0) return;
    const started: Promise<void>[] = [];
    for (const [integration, loops] of this.#running) {
      const added = fresh
        .filter((p) => p < this.#partitions)
        .map((p) => ({
          integration,
          partition: p,
          config: partitionConsumerConfig({ name: integration }, p, this.ctx.tuning),
          stopped: false,
        }));
      loops.push(...added);
      started.push(...added.map((loop) => this.#consumeOrCheck(loop)));
    }
    await Promise.all(started);
  }

  /**
   * The partition group moves these partitions to another engine: stop pulling them (every integration); resolves
   * once their pulls are closed. An event of theirs in flight still finishes here: the broker hands the partition's
   * next event to anyone only after its ack (`max_ack_pending` 1), and so does one that reached the pull as it stopped.
   */
  async release(partitions: number[]): Promise<void> {
    const gone = new Set(partitions);
    for (const p of partitions) this.#assigned?.delete(p);
    const closing: Promise<unknown>[] = [];
    for (const loops of this.#running.values()) {
      // In place: start() knows its integration's loops by this array.
      for (let i = loops.length - 1; i >= 0; i--) {
        const loop = loops[i];
        if (loop.partition === undefined || !gone.has(loop.partition)) continue;
        loops.splice(i, 1);
        loop.stopped = true;
        if (loop.messages) closing.push(this.#stopPull(loop, loop.messages));
      }
    }
    await Promise.all(closing);
  }

  /** A partition taken while running: a failed first pull is tried again by the consumer check, not thrown. */
  async #consumeOrCheck(loop: ConsumerLoop): Promise<void> {
    await this.#consume(loop).catch((error: unknown) => {
      this.ctx.log.error(
        { err: error, integration: loop.integration, consumer: loop.config.durable_name },
        'could not pull from a partition this engine took over; trying again',
      );
      setTimeout(() => !loop.stopped && void this.#consumeOrCheck(loop), 1_000).unref();
    });
  }

  /** Events being processed right now, by integration (status page). */
  inFlightCount(integration?: string): number {
    if (!integration) return this.#inFlight.size;
    return [...this.#inFlight].filter((f) => f.msg.subject.split('.')[2] === integration).length;
  }

  integrations(): string[] {
    return [...this.#running.keys()];
  }

  /**
   * Starts consuming the partitions of an integration (this process's share of them) and the tickets of its parked
   * keys (no-op when already running). Every process takes tickets: a ticket is a parked key's turn, not a partition.
   */
  async start(integration: string, partitions: number): Promise<void> {
    if (this.#stopping || this.#running.has(integration)) return;
    const { tuning } = this.ctx;
    this.#partitions = partitions;
    const own = this.ownPartitions(partitions);
    if (own.length === 0 && this.share && !this.#assigned && !this.#saidNoShare) {
      this.#saidNoShare = true;
      this.ctx.log.warn(
        { partitions, worker: this.share.index, workers: this.share.of },
        `more workers than partitions: this worker delivers nothing and only takes webhooks; run at most ${partitions} ` +
          'workers (or give a new cluster more partitions)',
      );
    }
    const loops: ConsumerLoop[] = [
      ...own.map((partition) => ({
        partition,
        config: partitionConsumerConfig({ name: integration }, partition, tuning),
      })),
      { config: retryConsumerConfig({ name: integration }, tuning) },
    ].map((loop) => ({ integration, ...loop, stopped: false }));
    this.#running.set(integration, loops);
    const started = await Promise.allSettled(loops.map((loop) => this.#consume(loop)));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) {
      // Half started would count as running, and every later start (the next spec swap) would be a no-op.
      if (this.#running.get(integration) === loops) await this.stopIntegration(integration);
      throw failed.reason;
    }
  }

  /** Stops pulling for an integration; its in-flight events still finish, and one that reached a pull as it stopped. */
  async stopIntegration(integration: string): Promise<void> {
    const loops = this.#running.get(integration) ?? [];
    this.#running.delete(integration);
    for (const loop of loops) loop.stopped = true;
    await Promise.all(loops.map((l) => l.messages && this.#stopPull(l, l.messages)));
  }

  /**
   * The connection to the broker is back: a restarted broker has lost every consumer whose state it kept in memory.
   * Each running consumer is checked now rather than at its pull's second missed heartbeat (5 s).
   */
  afterReconnect(): void {
    if (this.#stopping) return;
    for (const loops of this.#running.values()) for (const loop of loops) void this.#check(loop);
  }

  /** Pulls from a loop's consumer (creating it when it is missing), replacing the loop's previous pulls. */
  async #consume(loop: ConsumerLoop): Promise<void> {
    const name = loop.config.durable_name!;
    const consumer = await this.js.consumers.get(EVENTS_STREAM, name).catch(async (error: unknown) => {
      // A start after a broker restart (a resumed integration, a spec swap) finds it gone too.
      if (!isConsumerNotFound(error)) throw error;
      await this.#recreate(loop);
      return this.js.consumers.get(EVENTS_STREAM, name);
    });
    if (loop.stopped) return;
    const previous = loop.messages;
    const messages = await consumer.consume({ ...PULL, callback: (m) => this.#dispatch(m) });
    loop.messages = messages;
    // Stopped while the pull was being set up: stopIntegration closed the previous pulls only.
    if (loop.stopped) await this.#stopPull(loop, messages);
    // What reaches the previous pull while it stops is this loop's still: it runs here.
    if (previous) await this.#stopPull(loop, previous);
    void this.#watch(loop, messages);
  }

  /**
   * Stops one of the loop's pulls (stop-pull.ts). While this engine holds a message of the consumer, the broker is
   * asked to drop the stopped pull's requests, and a nak of the consumer's messages made meanwhile (an attempt that
   * ends in `nak(delay)`) waits for that, so it is redelivered to another engine's pull at once, not after the ack
   * wait; so is the nak of a drain that timed out, made after the stop.
   */
  #stopPull(loop: ConsumerLoop, messages: ConsumerMessages): Promise<void> {
    const name = loop.config.durable_name!;
    return this.#stops.stop(name, messages, PULL.expires, {
      nakMayFollow: () => [...this.#inFlight].some((f) => f.msg.info.consumer === name),
      askInfo: () => this.jsm.consumers.info(EVENTS_STREAM, name),
    });
  }

  async #watch(loop: ConsumerLoop, messages: ConsumerMessages): Promise<void> {
    for await (const status of messages.status()) {
      if (loop.messages !== messages || loop.stopped) return;
      if (GONE_SIGNS.has(status.type)) void this.#check(loop);
    }
  }

  /** Recreates the loop's consumer if the broker no longer has it, and pulls from the new one. */
  #check(loop: ConsumerLoop): Promise<void> {
    loop.checking ??= (async () => {
      const name = loop.config.durable_name!;
      try {
        const gone = await this.jsm.consumers.info(EVENTS_STREAM, name).then(
          () => false,
          (error: unknown) => {
            if (isConsumerNotFound(error)) return true;
            // The broker is not answering yet (restarting, partitioned): the next missed heartbeat asks again.
            this.ctx.log.debug({ err: error, consumer: name }, 'consumer check failed');
            return false;
          },
        );
        if (!gone || loop.stopped || this.#stopping) return;
        await this.#recreate(loop);
        await this.#consume(loop);
      } catch (error) {
        this.ctx.log.error(
          { err: error, integration: loop.integration, consumer: name },
          'could not create a missing consumer again; tried again at its next missed heartbeat',
        );
      } finally {
        loop.checking = undefined;
      }
    })();
    return loop.checking;
  }

  async #recreate(loop: ConsumerLoop): Promise<void> {
    await ensureConsumer(this.jsm, loop.config);
    this.ctx.log.warn(
      { integration: loop.integration, consumer: loop.config.durable_name, memory: !!loop.config.mem_storage },
      'consumer missing on the broker (restarted, with consumer state in memory); created it again',
    );
  }

  /**
   * Graceful stop: stop pulling, let in-flight events finish for up to `timeoutMs`, then nak what is left so another
   * process picks it up at once (the stopped pulls' requests were dropped at the broker: #stopPull). Returns how many
   * events were nakked.
   */
  async drain(timeoutMs: number): Promise<number> {
    this.#stopping = true;
    await Promise.all([...this.#running.keys()].map((i) => this.stopIntegration(i)));
    if (this.#inFlight.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        const check = () => this.#inFlight.size === 0 && done();
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.#idle.add(check);
      });
    }
    let nakked = 0;
    for (const flight of this.#inFlight) {
      if (flight.settled) continue;
      settle(flight, 'nak');
      nakked++;
    }
    return nakked;
  }

  /**
   * Runs a message, also one that reached a pull being stopped (a handover, a pause, a graceful stop): the broker
   * counts it as this engine's, like an event in flight, and the drain waits for it (docs/runtime.md, "Handover
   * without an ack wait"). Its nak waits while a pull of its consumer is being stopped (stop-pull.ts).
   */
  #dispatch(msg: JsMsg): void {
    const flight: InFlight = { msg, settled: false, nakAfter: () => this.#stops.beforeNak(msg.info.consumer) };
    // The parse of an event subject is kept (subjects.ts): no split per message.
    const integration = parseEventSubject(msg.subject)?.integration ?? msg.subject.split('.')[2];
    this.#inFlight.add(flight);
    this.#heartbeat ??= setInterval(() => this.#beat(), heartbeatIntervalMs(this.ctx.tuning.ackWaitMs)).unref();
    this.ctx.metrics.perEvent.inFlight(integration, 1);
    processEvent(flight, this.ctx)
      .catch((error) => {
        // The broker or KV failed under us: try again shortly; if even the nak is lost, the ack wait redelivers.
        this.ctx.log.error(
          { err: error, integration, subject: msg.subject },
          'event processing failed; will be redelivered',
        );
        const fate = decideFate({ kind: 'processing-failed', deliveries: msg.info.deliveryCount });
        settle(flight, 'nak', fate?.kind === 'retry' ? fate.delayMs : undefined);
      })
      .finally(() => {
        this.#inFlight.delete(flight);
        if (this.#inFlight.size === 0) {
          clearInterval(this.#heartbeat);
          this.#heartbeat = undefined;
        }
        this.ctx.metrics.perEvent.inFlight(integration, -1);
        for (const check of this.#idle) check();
      });
  }

  /**
   * One timer for every in-flight event (instead of one per event): while any event is being processed, each tick
   * tells the broker that every unsettled one is still being worked on, so a call slower than the ack wait does not
   * cause a redelivery. An event therefore gets its first `working()` within one interval of starting. The leases of
   * calls being sent are renewed at the same pace (call-leases.ts).
   */
  #beat(): void {
    this.ctx.leases.renew();
    for (const flight of this.#inFlight) {
      if (flight.settled) continue;
      try {
        flight.msg.working();
      } catch {
        // connection closed: the ack wait redelivers, the ledger makes that harmless
      }
    }
  }
}

/** The partitions of `partitions` a process with `share` pulls from (all without one). */
export function ownPartitions(partitions: number, share?: PartitionShare): number[] {
  const all = Array.from({ length: partitions }, (_, p) => p);
  return share ? all.filter((p) => p % share.of === share.index) : all;
}

/** How often in-flight events are reported as being worked on: a third of the ack wait (at least 100 ms). */
export function heartbeatIntervalMs(ackWaitMs: number): number {
  return Math.max(100, ackWaitMs / 3);
}
