/**
 * Whether an integration runs on the cluster, for the commands that name one (`pause`, `resume`, `trace`): it does
 * when the broker has one of its consumers. Its retry consumer is asked first: its state is on disk, while partition
 * consumers are kept in the broker's memory and are gone after a broker restart until an engine creates them again
 * (a paused integration's stay gone until it is resumed, so `resume` must not depend on them).
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import { didYouMean } from '../../compiler/suggest.js';
import { EVENTS_STREAM, consumerName, retryConsumerName } from '../../runtime/broker/subjects.js';

export async function runsOnCluster(jsm: JetStreamManager, integration: string): Promise<boolean> {
  for (const consumer of [retryConsumerName(integration), consumerName(integration, 0)])
    if (await jsm.consumers.info(EVENTS_STREAM, consumer).catch(() => undefined)) return true;
  return false;
}

/**
 * `no integration named "x" runs on this cluster; did you mean "y"? (junction status lists them)`: the names are
 * those of the cluster's retry and first-partition consumers, so a typo names the integration meant.
 */
export async function notOnClusterMessage(jsm: JetStreamManager, integration: string): Promise<string> {
  const names = await clusterIntegrations(jsm);
  return (
    `no integration named ${JSON.stringify(integration)} runs on this cluster${didYouMean(integration, names)}` +
    ' (junction status lists them)'
  );
}

/**
 * The integrations that run on the cluster: the names of their retry consumers (on disk, kept over a broker restart)
 * and first-partition consumers (in memory, gone after one until an engine creates them again), each once.
 */
export async function clusterIntegrations(jsm: JetStreamManager): Promise<string[]> {
  const names = new Set<string>();
  for await (const c of jsm.consumers.list(EVENTS_STREAM)) {
    const name = /^(.+)-(?:retry|p0)$/.exec(c.name)?.[1];
    if (name) names.add(name);
  }
  return [...names];
}
