/**
 * Every NATS connection the engine opens: the engine's own, Git sync's and the CLI's short-lived ones. One place
 * decides reconnects and liveness pings, so a silent partition is noticed the same way everywhere, writes each
 * event-loop turn's frames to the socket at once (`turn-coalescing-transport.ts`), and holds a request made while
 * the connection is down until it is back (`requests-wait-for-reconnect.ts`).
 */
import { NatsConnectionImpl, errors, setTransportFactory } from '@nats-io/transport-node';
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import { nodeResolveHost } from '@nats-io/transport-node/lib/node_transport.js';
import { requestsWaitForReconnect } from './requests-wait-for-reconnect.js';
import { TurnCoalescingTransport, leanOutbound } from './turn-coalescing-transport.js';

type NatsRole = 'engine' | 'gitops' | 'cli';

/**
 * Opens a connection to `urls` (comma-separated). Long-lived roles reconnect forever and ping every 5 s (the client
 * default is 2 min), so a partition without FIN or RST is seen in about 15 s; the CLI fails fast instead.
 */
export async function connectNats(
  urls: string,
  role: NatsRole,
  name: string,
  extra: Partial<NodeConnectionOptions> = {},
): Promise<NatsConnection> {
  // An HTTP URL (the operator URL, mistaken for the broker's) would only time out after seconds, saying nothing.
  const http = urls.split(',').find((url) => /^https?:\/\//i.test(url.trim()));
  if (http)
    return Promise.reject(
      new errors.ConnectionError(
        `${http} is an HTTP URL; a NATS URL looks like nats://127.0.0.1:4222 (an engine's operator URL goes to --url)`,
      ),
    );
  const longLived = role !== 'cli';
  useTurnCoalescingTransport();
  const nc = await NatsConnectionImpl.connect({
    servers: urls.split(','),
    name,
    noAsyncTraces: true,
    ...(longLived
      ? { maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 5_000, maxPingOut: 3 }
      : { timeout: 5_000 }),
    ...extra,
  });
  leanOutbound(nc);
  requestsWaitForReconnect(nc);
  return nc;
}

/**
 * nats.js keeps one transport factory per process and reads it at every dial, reconnects included; its own
 * `connect()` sets the stock transport. The engine opens connections only here, so its connections, and their
 * reconnects, use the coalescing one (a stock `connect()` in the same process, as tests do, would switch it back:
 * still correct, one write per flush again).
 */
function useTurnCoalescingTransport(): void {
  setTransportFactory({ factory: () => new TurnCoalescingTransport(), dnsResolveFn: nodeResolveHost });
}
