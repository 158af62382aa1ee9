/**
 * Events not yet finished per integration, read from the broker: pending plus ack-pending over each integration's
 * partition and retry consumers (one list call). A partition consumer kept in the broker's memory is gone after a
 * broker restart until an engine creates it again (broker/provision.ts), and a consumer that is not there counts
 * nothing: its partition's events are then counted from the stream itself (work-queue retention: what a subject
 * still stores is not finished) and the consumer is named as missing, so lag never drops to 0 while events wait.
 * A consumer nobody pulls can count one event twice (broker/rewound-onto-redelivery.ts): its figures are then checked
 * against what its subject stores; reading the stream walks its blocks, so only then.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import {
  EVENTS_PREFIX,
  EVENTS_STREAM,
  consumerName,
  parseEventSubject,
  retryConsumerName,
} from '../broker/subjects.js';
import { rewoundOntoRedelivery } from '../broker/rewound-onto-redelivery.js';

/** A consumer an integration needs that the broker does not have, and the events its subject holds meanwhile. */
export interface MissingConsumer {
  consumer: string;
  /** Events stored on its subject: counted in the integration's lag, delivered once the consumer is back. */
  stored: number;
}

export interface ConsumerBacklog {
  /** Events not finished per integration, missing consumers' stored events included. */
  lag: Map<string, number>;
  /** The missing consumers per integration (only integrations with one). */
  missing: Map<string, MissingConsumer[]>;
}

/**
 * The backlog of `integrations` (listed with 0 when they have none) and of any other integration the broker holds
 * consumers or events of. With `partitions`, a partition consumer of `integrations` that is missing is named even when
 * its subject is empty, and the stream is read only when one is missing; without, the stream is read every time (it
 * alone says which subjects hold events).
 */
export async function consumerBacklog(
  jsm: JetStreamManager,
  integrations: Iterable<string> = [],
  partitions?: number,
): Promise<ConsumerBacklog> {
  const names = [...integrations];
  const lag = new Map<string, number>(names.map((name) => [name, 0]));
  const present = new Set<string>();
  const rewound: { integration: string; subject: string; reported: number }[] = [];
  for await (const c of jsm.consumers.list(EVENTS_STREAM)) {
    present.add(c.name);
    const integration = c.name.replace(/-(p\d+|retry)$/, '');
    const reported = c.num_pending + c.num_ack_pending;
    if (rewoundOntoRedelivery(c)) rewound.push({ integration, subject: c.config.filter_subject!, reported });
    lag.set(integration, (lag.get(integration) ?? 0) + reported);
  }
  await Promise.all(
    rewound.map(async ({ integration, subject, reported }) => {
      const stored = (await storedPerSubject(jsm, subject))[subject] ?? 0;
      if (stored < reported) lag.set(integration, lag.get(integration)! - (reported - stored));
    }),
  );
  const expected =
    partitions === undefined
      ? []
      : names.flatMap((name) => Array.from({ length: partitions }, (_, p) => [name, consumerName(name, p)] as const));
  const absent = expected.filter(([, consumer]) => !present.has(consumer));
  const missing = new Map<string, MissingConsumer[]>();
  const add = (integration: string, entry: MissingConsumer) =>
    missing.set(integration, [...(missing.get(integration) ?? []), entry]);
  if (partitions !== undefined && absent.length === 0) return { lag, missing };
  const counted = new Set<string>();
  const filter =
    names.length === 1 && partitions === undefined ? `${EVENTS_PREFIX}.${names[0]}.>` : `${EVENTS_PREFIX}.>`;
  for (const [subject, stored] of Object.entries(await storedPerSubject(jsm, filter))) {
    const parsed = parseEventSubject(subject);
    if (!parsed || stored === 0) continue;
    const consumer =
      'retry' in parsed ? retryConsumerName(parsed.integration) : consumerName(parsed.integration, parsed.partition);
    if (present.has(consumer)) continue;
    counted.add(consumer);
    lag.set(parsed.integration, (lag.get(parsed.integration) ?? 0) + stored);
    add(parsed.integration, { consumer, stored });
  }
  for (const [integration, consumer] of absent) if (!counted.has(consumer)) add(integration, { consumer, stored: 0 });
  for (const list of missing.values())
    list.sort((a, b) => a.consumer.localeCompare(b.consumer, 'en', { numeric: true }));
  return { lag, missing };
}

/** Events not yet finished per integration (consumerBacklog's lag). */
export async function consumerLag(
  jsm: JetStreamManager,
  integrations: Iterable<string> = [],
  partitions?: number,
): Promise<Map<string, number>> {
  return (await consumerBacklog(jsm, integrations, partitions)).lag;
}

/** Stored events per subject of the events stream, of the subjects `filter` matches. */
async function storedPerSubject(jsm: JetStreamManager, filter: string): Promise<Record<string, number>> {
  const info = await jsm.streams.info(EVENTS_STREAM, { subjects_filter: filter });
  return info.state.subjects ?? {};
}
