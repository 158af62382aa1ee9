/**
 * The engine bench's load generator, in its own process: posts Magento order webhooks with node:http over
 * keep-alive connections (bodies are built before the clock starts). Two modes, driven by the parent over IPC:
 * a closed loop (`concurrency` senders until `count` orders are accepted) and an open loop at a fixed rate that
 * records when each POST started, for latency.
 */
import { Agent, request } from 'node:http';
import { magentoOrder } from './engine-bench-fixtures.js';
import { ownCpuMs, serveParent, wallMs } from './bench-child.js';
import { ORDER_HEADER } from './latency-stages.js';

const PATH = '/hooks/magento-orders-to-erp';
let agent: Agent | undefined;

/**
 * Each loop opens its own connections. The ingest closes a connection idle for its keep-alive timeout (5 s, and
 * node:http waits 1 s more), and Node 20's Agent ignores the server's `Keep-Alive: timeout=5` hint unless it has a
 * `timeout` option, so sockets left idle over the pause between two phases could be closed by the server just as the
 * next phase reused them: `socket hang up` (ECONNRESET), and the one retry could meet another socket closing.
 */
function freshAgent(maxSockets: number): void {
  agent?.destroy();
  agent = new Agent({ keepAlive: true, maxSockets });
}

/** Orders the closed loops of this process got a 202 for so far. */
let accepted = 0;

/** The orders of the next run, built before its clock starts, and the webhook paths they go to in turn. */
let prepared: { from: number; bodies: Buffer[]; paths: string[] } = { from: 0, bodies: [], paths: [PATH] };

/**
 * One POST; resolves with the status. A reused keep-alive socket the server just closed is retried once. `order` is
 * named in a header for the latency breakdown (latency-stages.ts).
 */
function post(url: URL, body: Buffer, path: string, order?: number, retry = true): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          ...(order === undefined ? {} : { [ORDER_HEADER]: String(order) }),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (retry && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))
        post(url, body, path, order, false).then(resolve, reject);
      else reject(error);
    });
    req.end(body);
  });
}

/** The key the target sees for order `n` (see ORDER_INTEGRATION). */
const targetKey = (n: number) => `order-${100000000 + n}`;

serveParent({
  /** Builds orders `from` .. `from + count - 1` for the next loop; order i goes to `paths[i % paths.length]`. */
  prepare: ({ from, count, paths = [PATH] }: { from: number; count: number; paths?: string[] }) => {
    prepared = {
      from,
      bodies: Array.from({ length: count }, (_, i) => Buffer.from(JSON.stringify(magentoOrder(from + i)))),
      paths,
    };
  },
  /**
   * Closed loop over the prepared orders, or over orders `first` .. `end - 1` of them (so that two loops can run back
   * to back without building bodies in between); resolves with the elapsed ms once every order got its 202.
   */
  closedLoop: async ({
    url,
    concurrency,
    first,
    end,
  }: {
    url: string;
    concurrency: number;
    first?: number;
    end?: number;
  }) => {
    freshAgent(concurrency);
    const target = new URL(url);
    const { from, bodies: all, paths } = prepared;
    const count = end === undefined ? all.length : end - from;
    let next = first === undefined ? 0 : first - from;
    const start = wallMs();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < count; i = next++) {
          const status = await post(target, all[i], paths[i % paths.length]);
          if (status !== 202) throw new Error(`order ${from + i} refused: ${status}`);
          accepted++;
        }
      }),
    );
    return { startedAt: start, elapsedMs: wallMs() - start };
  },
  /**
   * Open loop at `rate`/s over the prepared orders; resolves with each order's number, target key and the wall time
   * its POST started.
   */
  openLoop: async ({ url, rate }: { url: string; rate: number }) => {
    freshAgent(64);
    const target = new URL(url);
    const { from, bodies: all, paths } = prepared;
    const count = all.length;
    const sent: { order: number; key: string; at: number }[] = [];
    const posts: Promise<number>[] = [];
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const wait = start + (i * 1000) / rate - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      sent.push({ order: from + i, key: targetKey(from + i), at: wallMs() });
      posts.push(post(target, all[i], paths[i % paths.length], from + i));
    }
    const statuses = await Promise.all(posts);
    const refused = statuses.filter((s) => s !== 202).length;
    if (refused > 0) throw new Error(`${refused} orders refused`);
    return sent;
  },
  cpuMs: () => ownCpuMs(),
  /** Orders the closed loops of this process got a 202 for so far. */
  accepted: () => accepted,
});
