/**
 * Test harness: a local JetStream cluster of real nats-server processes (fault-matrix case 23). Each node listens
 * for clients and routes on random loopback ports and stores in its own temporary directory; all of them solicit
 * routes to each other. Resolves once the cluster has a JetStream meta leader, so R3 streams can be created at once.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startNatsServer } from '../../engine/runtime/broker/nats-server-process.js';
import type { NatsServerProcess } from '../../engine/runtime/broker/nats-server-process.js';

interface TestClusterNode {
  /** Server name (`n1`, `n2`, ...), as JetStream reports leaders and peers. */
  readonly name: string;
  readonly url: string;
  readonly storeDir: string;
  readonly running: boolean;
  /** kill -9 this node. */
  kill(): Promise<void>;
}

export interface TestNatsCluster {
  readonly nodes: TestClusterNode[];
  /** Every node's client URL, comma-separated (what `--nats` takes). */
  readonly urls: string;
  /** The client URLs of the nodes still running. */
  runningUrls(): string[];
  node(name: string): TestClusterNode;
  /** Kills every node and deletes the stores. */
  dispose(): Promise<void>;
}

export async function startTestNatsCluster(
  size = 3,
  options: { readyTimeoutMs?: number } = {},
): Promise<TestNatsCluster> {
  const root = await mkdtemp(join(tmpdir(), 'junction-cluster-'));
  const clusterName = `junction-test-${process.pid}`;
  const specs = await Promise.all(
    Array.from({ length: size }, async (_, i) => ({
      name: `n${i + 1}`,
      port: await freePort(),
      routePort: await freePort(),
      storeDir: join(root, `n${i + 1}`),
    })),
  );
  const processes = new Map<string, NatsServerProcess | undefined>();
  const nodes: TestClusterNode[] = specs.map((spec) => ({
    name: spec.name,
    url: `nats://127.0.0.1:${spec.port}`,
    storeDir: spec.storeDir,
    get running() {
      return processes.get(spec.name) !== undefined;
    },
    kill: async () => {
      await processes.get(spec.name)?.kill('SIGKILL');
      processes.set(spec.name, undefined);
    },
  }));
  const dispose = async () => {
    await Promise.all([...processes.values()].map((p) => p?.kill('SIGKILL')));
    processes.clear();
    await rm(root, { recursive: true, force: true });
  };

  try {
    await Promise.all(
      specs.map(async (spec) => {
        const routes = specs.filter((s) => s !== spec).map((s) => `nats://127.0.0.1:${s.routePort}`);
        const args = [
          '--server_name',
          spec.name,
          '--cluster_name',
          clusterName,
          '--cluster',
          `nats://127.0.0.1:${spec.routePort}`,
          '--routes',
          routes.join(','),
        ];
        processes.set(spec.name, await startNatsServer({ storeDir: spec.storeDir, port: spec.port, args }));
      }),
    );
    await waitForMetaLeader(
      nodes.map((n) => n.url),
      options.readyTimeoutMs ?? 30_000,
    );
  } catch (error) {
    await dispose();
    throw error;
  }

  return {
    nodes,
    urls: nodes.map((n) => n.url).join(','),
    runningUrls: () => nodes.filter((n) => n.running).map((n) => n.url),
    node: (name) => {
      const found = nodes.find((n) => n.name === name);
      if (!found) throw new Error(`no cluster node named ${name}`);
      return found;
    },
    dispose,
  };
}

/** Waits until JetStream answers account info (it needs a meta leader) and every node has joined the meta group. */
export async function waitForMetaLeader(urls: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const nc = await connect({ servers: urls, noAsyncTraces: true, timeout: 5_000 });
  try {
    let last: unknown;
    while (Date.now() < deadline) {
      try {
        // Creating the manager checks the JetStream API, which answers only once there is a meta leader.
        const jsm = await jetstreamManager(nc, { timeout: 2_000 });
        // A throwaway R3 stream proves the meta group can place replicas on every node.
        const name = `CLUSTER_READY_${process.pid}`;
        await jsm.streams.add({ name, subjects: [`cluster.ready.${process.pid}`], num_replicas: urls.length });
        await jsm.streams.delete(name);
        return;
      } catch (error) {
        last = error;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw new Error(`the NATS cluster did not elect a JetStream meta leader in ${timeoutMs} ms: ${String(last)}`);
  } finally {
    await nc.close();
  }
}
