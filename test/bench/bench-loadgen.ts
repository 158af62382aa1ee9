/**
 * The engine bench's load generator, in its own process: posts Magento order webhooks over keep-alive connections
 * with a lean HTTP/1.1 client (bench-http-client.ts; BENCH_RIG_HTTP=node: node:http's Agent, bench-node-http.ts);
 * each request's bytes are built before the clock starts. Two
 * modes, driven by the parent over IPC: a closed loop (`concurrency` senders until `count` orders are accepted) and an
 * open loop at a fixed rate that records when each POST started, for latency.
 */
import { magentoOrder } from './engine-bench-fixtures.js';
import { largeMagentoOrder } from './large-order-fixtures.js';
import { ownCpuMs, serveParent, wallMs } from './bench-child.js';
import { KeepAliveClient, postRequest } from './bench-http-client.js';
import { NodeHttpClient, RIG_HTTP } from './bench-node-http.js';
import { ORDER_HEADER } from './latency-stages.js';

const PATH = '/hooks/magento-orders-to-erp';
/** Connections of the open loop: requests beyond this many in flight wait for one (as node:http's Agent did). */
const OPEN_LOOP_CONNECTIONS = 64;

/** Orders the closed loops of this process got a 202 for so far, in all and per connection (by local port). */
let accepted = 0;
const acceptedByLocalPort = new Map<number, number>();

/** The connections a closed loop left open (`keepOpen`), for the open loop that follows to send on (`reuse`). */
let kept: KeepAliveClient | NodeHttpClient | undefined;

/** The requests of the next run, built before its clock starts, for the orders from `from` on. */
let prepared: { from: number; requests: Buffer[] } = { from: 0, requests: [] };

/**
 * Each loop opens its own connections and closes them when it ends, but for a closed loop with `keepOpen`, whose
 * connections the next open loop with `reuse` sends on. The ingest closes a connection idle for its keep-alive
 * timeout (65 s by default); a request lost on a reused connection before any answer came is sent again.
 */
function clientFor(url: string, connections: number): KeepAliveClient | NodeHttpClient {
  const { hostname, port } = new URL(url);
  if (RIG_HTTP === 'lean') return new KeepAliveClient(hostname, Number(port), connections);
  const client = new NodeHttpClient(hostname, Number(port), connections);
  client.prepare(prepared.requests);
  return client;
}

/** The key the target sees for order `n` (see ORDER_INTEGRATION). */
const targetKey = (n: number) => `order-${100000000 + n}`;

serveParent({
  /**
   * Builds the POSTs of orders `from` .. `from + count - 1` to `url` for the next loop; order i goes to
   * `paths[i % paths.length]`. With `nameOrders` each names its order in ORDER_HEADER, for the latency breakdown
   * (latency-stages.ts). The engine bench names every order, warm-up included: a header first seen as the latency
   * phase starts made V8 drop the ingest's optimised code then (docs/performance.md, "Latency, session 17").
   * With `lines` the orders are large ones of that many lines (large-order-fixtures.ts).
   */
  prepare: ({
    url,
    from,
    count,
    paths = [PATH],
    nameOrders = false,
    lines,
  }: {
    url: string;
    from: number;
    count: number;
    paths?: string[];
    nameOrders?: boolean;
    lines?: number;
  }) => {
    const { host } = new URL(url);
    const order = (n: number) => (lines ? largeMagentoOrder(n, lines) : magentoOrder(n));
    prepared = {
      from,
      requests: Array.from({ length: count }, (_, i) =>
        postRequest(
          host,
          paths[i % paths.length],
          {
            'content-type': 'application/json',
            ...(nameOrders ? { [ORDER_HEADER]: String(from + i) } : {}),
          },
          Buffer.from(JSON.stringify(order(from + i))),
        ),
      ),
    };
  },
  /**
   * Closed loop over the prepared orders, or over orders `first` .. `end - 1` of them (so that two loops can run back
   * to back without building requests in between); resolves with the elapsed ms once every order got its 202.
   */
  closedLoop: async ({
    url,
    concurrency,
    first,
    end,
    keepOpen = false,
  }: {
    url: string;
    concurrency: number;
    first?: number;
    end?: number;
    keepOpen?: boolean;
  }) => {
    kept?.close();
    kept = undefined;
    const client = clientFor(url, concurrency);
    const { from, requests } = prepared;
    const count = end === undefined ? requests.length : end - from;
    let next = first === undefined ? 0 : first - from;
    const start = wallMs();
    try {
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < count; i = next++) {
            const status = await client.send(requests[i]);
            if (status !== 202) throw new Error(`order ${from + i} refused: ${status}`);
            accepted++;
          }
        }),
      );
    } finally {
      if (keepOpen) kept = client;
      else client.close();
      for (const [port, n] of client.answeredByLocalPort)
        acceptedByLocalPort.set(port, (acceptedByLocalPort.get(port) ?? 0) + n);
    }
    return { startedAt: start, elapsedMs: wallMs() - start };
  },
  /**
   * Open loop at `rate`/s over the prepared orders; resolves with each order's number, target key and the wall time
   * its POST started, and how many connections the loop itself opened. With `openFirst` every connection is opened
   * (one `GET /healthz` each, no event) before the clock starts: otherwise each of the loop's first 64 POSTs opens
   * one, a burst of handshakes and accepts no steady sender makes (docs/performance.md, "p99 at half load, session
   * 16").
   * With `reuse` it sends on the connections the last closed loop left open (`keepOpen`), if any, and opens none
   * first: fresh connections and their GETs made V8 drop node's optimised HTTP server code ("Latency, session 17").
   */
  openLoop: async ({
    url,
    rate,
    openFirst = false,
    reuse = false,
  }: {
    url: string;
    rate: number;
    openFirst?: boolean;
    reuse?: boolean;
  }) => {
    const reused = reuse ? kept : undefined;
    const client = reused ?? clientFor(url, OPEN_LOOP_CONNECTIONS);
    kept = undefined;
    const { from, requests } = prepared;
    if (reused instanceof NodeHttpClient) reused.prepare(requests);
    const count = requests.length;
    const sent: { order: number; key: string; at: number }[] = [];
    const posts: Promise<number>[] = [];
    try {
      if (openFirst && !reused) {
        const { host } = new URL(url);
        const statuses = await client.openAll(Buffer.from(`GET /healthz HTTP/1.1\r\nhost: ${host}\r\n\r\n`, 'latin1'));
        const failed = statuses.filter((s) => s !== 200).length;
        if (failed > 0) throw new Error(`${failed} of ${statuses.length} GET /healthz did not answer 200`);
      }
      const openedBefore = client.opened;
      const start = performance.now();
      for (let i = 0; i < count; i++) {
        const wait = start + (i * 1000) / rate - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        sent.push({ order: from + i, key: targetKey(from + i), at: wallMs() });
        posts.push(client.send(requests[i]));
      }
      const statuses = await Promise.all(posts);
      const refused = statuses.filter((s) => s !== 202).length;
      if (refused > 0) throw new Error(`${refused} orders refused`);
      return { sent, openedInLoop: client.opened - openedBefore, connections: client.maxConnections };
    } finally {
      client.close();
    }
  },
  cpuMs: () => ownCpuMs(),
  /** Orders the closed loops of this process got a 202 for so far. */
  accepted: () => accepted,
  /** The same per connection, as [local port, count] pairs (which engine process took them: worker-shares.ts). */
  acceptedByLocalPort: () => [...acceptedByLocalPort],
});
