/**
 * A request made while the connection is down waits for the reconnect and is sent then, its timeout still counted
 * from when it was made. nats-core (3.4.0, `lib/protocol.js`) buffers what is published while down, but every dial
 * attempt starts with `prepare()`, which empties that buffer (`resetOutbound()`): such a request was never sent and
 * waited out its whole timeout (5 s for a JetStream or KV call) even when the broker was back within a second, which
 * an engine's recovery after a broker restart paid for each request it made during the restart. Plain publishes (an
 * ack, a trace record) are still dropped as before: no one waits for them (docs/runtime.md, "Publishes made
 * while disconnected are dropped").
 */
import { errors } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';

/** What is read of nats-core's `ProtocolHandler`: true from a dial's handshake to the socket's close. */
interface ClientProtocol {
  connected: boolean;
}

/** Per connection (its protocol handler, shared by views such as `withReplyInbox`'s): the wait under way. */
const waits = new WeakMap<ClientProtocol, Promise<boolean>>();

/**
 * Undefined while `nc` can send (or is closed: the request fails at once as nats.js fails it); else a promise of
 * the next reconnect (true) or of the close (false).
 */
export function untilReconnected(nc: NatsConnection): Promise<boolean> | undefined {
  const protocol = (nc as unknown as { protocol: ClientProtocol }).protocol;
  if (protocol.connected || nc.isClosed()) return undefined;
  let wait = waits.get(protocol);
  if (!wait) {
    // `connected` turns true before the `reconnect` status is sent, and was false here: that status is still to come.
    wait = reconnectOrClose(nc).finally(() => waits.delete(protocol));
    waits.set(protocol, wait);
  }
  return wait;
}

async function reconnectOrClose(nc: NatsConnection): Promise<boolean> {
  for await (const s of nc.status()) if (s.type === 'reconnect' || s.type === 'close') return s.type === 'reconnect';
  return false;
}

/**
 * Makes `nc.request()` wait for the reconnect when the connection is down (the JetStream and KV clients built on `nc`
 * call it): sent then with what is left of its timeout, or failed as nats.js fails it: `TimeoutError` if the
 * connection is not back in time, `RequestError("connection closed")` if it was closed meanwhile (as a request in
 * flight at the close).
 */
export function requestsWaitForReconnect(nc: NatsConnection): void {
  const request = nc.request.bind(nc);
  nc.request = (subject, payload, opts) => {
    const back = untilReconnected(nc);
    if (!back) return request(subject, payload, opts);
    const timeout = opts?.timeout || 1000;
    const deadline = performance.now() + timeout;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new errors.TimeoutError()), timeout);
      void back.then((reconnected) => {
        clearTimeout(timer);
        if (reconnected) resolve();
        else reject(new errors.RequestError('connection closed'));
      });
    }).then(() => request(subject, payload, { ...opts, timeout: Math.max(1, deadline - performance.now()) }));
  };
}
