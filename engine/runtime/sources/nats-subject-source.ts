/**
 * NATS subject sources: a queue subscription per integration (processes share the work), each message stored in
 * JetStream before it is answered. Core NATS is at-most-once: messages published while no engine runs are not
 * seen. A request/reply publisher gets `{"ok":true}` only after the PubAck, so it can retry on a timeout. A message
 * that cannot become an event (not JSON, not an object, no key) is answered with the reason; one published without a
 * reply subject has nobody to tell, so it goes to the dead-letter queue instead of only to the log.
 */
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { EventIdentityError, identifyEvent } from '../ingest/event-publisher.js';
import type { EventPublisher } from '../ingest/event-publisher.js';
import type { RuntimeMetrics } from '../observe/runtime-metrics.js';
import type { SpecRegistry } from '../spec-registry.js';
import { EVENTS_PREFIX } from '../broker/subjects.js';
import type { DeadLetterStore } from '../stores/dead-letter-store.js';
import { deadLetterUnstored } from './keyless-records.js';
import type { UnstoredRecord } from './keyless-records.js';

interface NatsSourceDeps {
  nc: NatsConnection;
  specs: SpecRegistry;
  publisher: EventPublisher;
  metrics: RuntimeMetrics;
  log: Logger;
  guards: TransformGuards;
  deadLetters?: DeadLetterStore;
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
    if (integration?.source.kind !== 'nats') return;
    const { subject } = integration.source;
    const text = Buffer.from(data).toString('utf8');
    const refuse = (code: string, reason: string, record: unknown) => {
      const message = `${reason}: the message on ${subject} was not stored as an event; fix the publisher (or the key expression) and replay it, or resolve it`;
      const unstored = { record, raw: text, code, message };
      return reply
        ? this.#answerRefusal(name, unstored, answer)
        : this.#deadLetter(integration, unstored, specSet.commit);
    };
    let event: unknown;
    try {
      event = JSON.parse(text) as unknown;
    } catch (error) {
      return refuse('malformed-json', `not valid JSON: ${(error as Error).message}`, text);
    }
    if (event === null || typeof event !== 'object') return refuse('not-an-object', 'not a JSON object or array', text);
    try {
      const identity = await identifyEvent(integration, event, this.deps.guards);
      const stored = await this.deps.publisher.publish({ integration: name, identity, data, commit: specSet.commit });
      if (!stored.duplicate) this.deps.metrics.eventsIn.inc({ integration: name, source: 'nats' });
      answer({ ok: true, id: identity.eventId, duplicate: stored.duplicate });
    } catch (error) {
      if (error instanceof EventIdentityError) return refuse('no-key', error.message, event);
      this.deps.log.warn({ integration: name, err: error }, 'NATS source message not stored');
      answer({ ok: false, error: (error as Error).message });
    }
  }

  #answerRefusal(name: string, unstored: UnstoredRecord, answer: (body: Record<string, unknown>) => unknown): void {
    this.deps.log.warn({ integration: name, code: unstored.code }, `NATS source message refused: ${unstored.message}`);
    answer({ ok: false, error: unstored.message });
  }

  /** A message published without a reply subject has nobody to tell: it would be lost, so it is dead-lettered. */
  async #deadLetter(integration: CompiledIntegration, unstored: UnstoredRecord, commit: string): Promise<void> {
    const log = { integration: integration.name, code: unstored.code };
    if (!this.deps.deadLetters) return void this.deps.log.error(log, `NATS source message lost: ${unstored.message}`);
    try {
      await deadLetterUnstored(integration, unstored, commit, this.deps.deadLetters);
      this.deps.log.warn(log, `NATS source message dead-lettered (no reply subject): ${unstored.message}`);
    } catch (error) {
      this.deps.log.error({ ...log, err: error }, `NATS source message lost: ${unstored.message}`);
    }
  }
}
