/**
 * The metrics of every engine process of `junction run --workers N`. The workers share the operator listener and
 * node:cluster hands each connection to one of them, so a scrape of `/metrics` or a read of `/api/status` answered
 * with that worker's own counters would jump between the workers' values (Prometheus reads each drop as a counter
 * reset, and the dashboard's counts flicker). The worker that takes the request asks the primary, the primary asks
 * every worker for its registry as JSON and hands all of them back, and the asking worker adds them up with
 * prom-client's aggregation: counters and histograms summed, the cluster-wide gauges by their `aggregator` (`max`).
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import type { MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];

/** worker -> primary: collect everyone's. */
const ASK = 'junction:metrics-ask';
/** primary -> every worker: send yours. */
const COLLECT = 'junction:metrics-collect';
/** worker -> primary: mine. */
const OWN = 'junction:metrics-own';
/** primary -> the asking worker: everyone's. */
const ALL = 'junction:metrics-all';

/** How long the primary waits for the workers' answers; a worker that is stopping or starting may never answer. */
const COLLECT_TIMEOUT_MS = 3_000;

type Message = { type?: string; id?: number; names?: string[]; metrics?: WorkerMetrics; all?: WorkerMetrics[] };

/** A registry's metrics as JSON: all of them, or only those named (no other metric's collect runs). */
async function metricsOf(registry: Registry, names: readonly string[] | undefined): Promise<WorkerMetrics> {
  if (!names) return registry.getMetricsAsJSON();
  const named = await Promise.all(names.map((name) => registry.getSingleMetric(name)?.get()));
  return named.filter((m) => m !== undefined);
}

/**
 * In a worker: answers the primary's collections with `registry`, and returns the reader of every worker's metrics
 * added up (a registry, read like this process's own): all of them, or only those named (`/api/status` reads its
 * counters only, so the gauges that ask the broker are not collected in every worker for it). A read the primary
 * does not answer within `askTimeoutMs` fails.
 */
export function workerMetrics(
  registry: Registry,
  askTimeoutMs = COLLECT_TIMEOUT_MS + 2_000,
): (names?: readonly string[]) => Promise<Registry> {
  const waiting = new Map<number, (all: WorkerMetrics[]) => void>();
  let next = 0;
  process.on('message', (message: Message) => {
    if (message?.type === COLLECT)
      void metricsOf(registry, message.names).then(
        (metrics) => process.send?.({ type: OWN, id: message.id, metrics }),
        () => process.send?.({ type: OWN, id: message.id, metrics: [] }),
      );
    else if (message?.type === ALL) {
      waiting.get(message.id!)?.(message.all ?? []);
      waiting.delete(message.id!);
    }
  });
  // A 'message' listener keeps the IPC channel, and so the process, alive: a worker whose engine has stopped must
  // still exit (the primary waits for that), so the channel does not hold it.
  process.channel?.unref();
  return (names) =>
    new Promise((resolve, reject) => {
      const id = next++;
      // Without the primary (it died) no count would be right: the request fails rather than answer a part.
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("the primary process did not hand over the workers' metrics"));
      }, askTimeoutMs);
      waiting.set(id, (all) => {
        clearTimeout(timer);
        resolve(AggregatorRegistry.aggregate(all));
      });
      process.send?.({ type: ASK, id, names });
    });
}

/**
 * In the primary: answers a worker's ask with every live worker's metrics. A worker that does not answer within
 * `collectTimeoutMs` is left out (it is stopping, or not up yet), so a scrape still gets an answer; one that exits
 * or drops its channel meanwhile is not waited for, and with no live worker the answer goes at once.
 */
export function relayWorkerMetrics(collectTimeoutMs = COLLECT_TIMEOUT_MS): void {
  let next = 0;
  const open = new Map<number, { got: WorkerMetrics[]; waitingFor: Set<number>; finish: () => void }>();
  const answered = (id: number, worker: Worker) => {
    const round = open.get(id);
    if (round?.waitingFor.delete(worker.id) && round.waitingFor.size === 0) round.finish();
  };
  cluster.on('message', (worker: Worker, message: Message) => {
    if (message?.type === OWN) {
      const round = open.get(message.id!);
      if (round?.waitingFor.has(worker.id)) round.got.push(message.metrics ?? []);
      answered(message.id!, worker);
      return;
    }
    if (message?.type !== ASK) return;
    const id = next++;
    const live = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && w.isConnected());
    const timer = setTimeout(() => open.get(id)?.finish(), collectTimeoutMs);
    const round = {
      got: [] as WorkerMetrics[],
      waitingFor: new Set(live.map((w) => w.id)),
      finish: () => {
        clearTimeout(timer);
        open.delete(id);
        if (worker.isConnected()) worker.send({ type: ALL, id: message.id, all: round.got });
      },
    };
    open.set(id, round);
    if (live.length === 0) return round.finish();
    for (const w of live) w.send({ type: COLLECT, id, names: message.names });
  });
  // A worker that exits mid-round never answers: the rounds stop waiting for it.
  cluster.on('disconnect', (worker: Worker) => {
    for (const id of [...open.keys()]) answered(id, worker);
  });
}
