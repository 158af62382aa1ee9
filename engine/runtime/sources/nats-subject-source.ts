/**
 * NATS subject sources: a queue subscription per integration (processes share the work), each message stored in
 * JetStream before it is answered. Core NATS is at-most-once: messages published while no engine runs are not
 * seen. A request/reply publisher gets `{"ok":true}` only after the PubAck, so it can retry on a timeout.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { identifyEvent } from '../ingest/event-publisher.js';
import type { EventPublisher } from '../ingest/event-publisher.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import type { SpecRegistry } from '../spec-registry.js';
import { EVENTS_PREFIX } from '../broker/subjects.js';

export interface NatsSourceDeps {
  nc: NatsConnection;
  specs: SpecRegistry;
  publisher: EventPublisher;
  metrics: RuntimeMetrics;
  log: Logger;
  guards: TransformGuards;
}

export class NatsSubjectSources {
  readonly #subs = new Map<string, { subject: string; sub: Subscription }>();

  constructor(private readonly deps: NatsSourceDeps) {}

  /** Subscribes to match the active spec set. */
  sync(): void {
    const wanted = new Map<string, string>();
    for (const i of this.deps.specs.active.integrations.values())
      if (i.source.kind === 'nats') wanted.set(i.name, i.source.subject);
    for (const [name, { subject, sub }] of this.#subs) {
      if (wanted.get(name) !== subject) {
        sub.unsubscribe();
        this.#subs.delete(name);
      }
    }
    for (const [name, subject] of wanted) {
      if (this.#subs.has(name)) continue;
      if (subject.startsWith(`${EVENTS_PREFIX}.`) || subject === '>' || subject.startsWith('$')) {
        this.deps.log.error({ integration: name, subject }, 'refusing a NATS source on an engine-internal subject');
        continue;
      }
      const sub = this.deps.nc.subscribe(subject, {
        queue: `junction.${name}`,
        callback: (err, msg) =>
          void (err ? undefined : this.#receive(name, msg.data, msg.reply, (d) => msg.respond(d))),
      });
      this.#subs.set(name, { subject, sub });
    }
  }

  stop(): void {
    for (const { sub } of this.#subs.values()) sub.unsubscribe();
    this.#subs.clear();
  }

  async #receive(
    name: string,
    data: Uint8Array,
    reply: string | undefined,
    respond: (data: string) => boolean,
  ): Promise<void> {
    const answer = (body: Record<string, unknown>) => reply && respond(JSON.stringify(body));
    const specSet = this.deps.specs.active;
    const integration = specSet.integrations.get(name);
    if (!integration) return;
    try {
      const event = JSON.parse(Buffer.from(data).toString('utf8')) as unknown;
      const identity = await identifyEvent(integration, event, this.deps.guards);
      const stored = await this.deps.publisher.publish({ integration: name, identity, data, commit: specSet.commit });
      if (!stored.duplicate) this.deps.metrics.eventsIn.inc({ integration: name, source: 'nats' });
      answer({ ok: true, id: identity.eventId, duplicate: stored.duplicate });
    } catch (error) {
      this.deps.log.warn({ integration: name, err: error }, 'NATS source message not stored');
      answer({ ok: false, error: (error as Error).message });
    }
  }
}
