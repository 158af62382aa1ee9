/**
 * Whether an integration runs on the cluster, for the commands that name one (`pause`, `resume`, `trace`): it does
 * when the broker has one of its consumers. Its retry consumer is asked first: its state is on disk, while partition
 * consumers are kept in the broker's memory and are gone after a broker restart until an engine creates them again
 * (a paused integration's stay gone until it is resumed, so `resume` must not depend on them).
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import { EVENTS_STREAM, consumerName, retryConsumerName } from '../../runtime/broker/subjects.js';

export async function runsOnCluster(jsm: JetStreamManager, integration: string): Promise<boolean> {
  for (const consumer of [retryConsumerName(integration), consumerName(integration, 0)])
    if (await jsm.consumers.info(EVENTS_STREAM, consumer).catch(() => undefined)) return true;
  return false;
}
