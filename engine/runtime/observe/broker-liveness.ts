/**
 * Whether the broker answers, for `/readyz` (observe/readiness.ts) and webhook ingest, which refuses new webhooks at
 * once while it does not (ingest/webhook-ingest.ts) instead of holding each sender for the publish timeout.
 *
 * A broker that stops answering without closing the connection (stuck on a disk, frozen, a network that drops
 * packets) is not a lost connection until the client's own pings give up (3 unanswered, every 5 s: 15 s). So the
 * broker is pinged in the background, once a second and one ping at a time, and is stalled once a ping has gone
 * unanswered for `stalledAfterMs`: a broker that freezes shows within about 4 s, and a single slow answer within that
 * does not count. Any answer proves the broker alive: the ping's, or a stored event's PubAck (`answered()`), which
 * ends a stall at once and starts the count again.
 *
 * A stall is called only by the pinger's tick, and not by a tick that comes late: a late tick means this process's
 * event loop was blocked (a long GC, no CPU), and an answer that arrived meanwhile still waits unread in the socket.
 * The next tick on time, after the loop has read its sockets, decides.
 */
export interface BrokerLiveness {
  /** Why the broker counts as stalled (a sentence for `/readyz` and the sender's 503), or undefined. */
  stalled(): string | undefined;
  /** The broker answered something else than the ping (a PubAck): it is not stalled now. */
  answered(): void;
  stop(): void;
}

interface BrokerLivenessDeps {
  /** A round trip to the broker (the connection's PING/PONG: `nc.flush()`). */
  ping(): Promise<unknown>;
  /** True while the connection is lost: nothing is pinged (readiness and ingest report that case themselves). */
  down(): boolean;
  /** How often the broker is pinged. @default 1000 */
  pingEveryMs?: number;
  /** How long a ping may go unanswered, with no other answer, before the broker is stalled. @default 3000 */
  stalledAfterMs?: number;
}

export function brokerLiveness(deps: BrokerLivenessDeps): BrokerLiveness {
  const pingEveryMs = deps.pingEveryMs ?? 1_000;
  const stalledAfterMs = deps.stalledAfterMs ?? 3_000;
  // When the ping still unanswered was sent; undefined when none is.
  let pingSentAt: number | undefined;
  // The broker's last answer other than a ping's: a stall counts from it when it came after the ping was sent.
  let answeredAt = 0;
  let stalled = false;
  let lastTickAt = Date.now();
  const tick = () => {
    const now = Date.now();
    const onTime = now - lastTickAt < 2 * pingEveryMs;
    lastTickAt = now;
    if (deps.down()) return;
    if (pingSentAt !== undefined) {
      if (onTime && now - Math.max(pingSentAt, answeredAt) >= stalledAfterMs) stalled = true;
      return;
    }
    const sentAt = (pingSentAt = now);
    // A ping cut short by a lost connection ends too: `down` reports that case.
    const pong = () => {
      if (pingSentAt !== sentAt) return;
      pingSentAt = undefined;
      stalled = false;
    };
    // Called in a promise, so a ping that throws (a connection closing) ends as an answer, never an uncaught error.
    Promise.resolve()
      .then(() => deps.ping())
      .then(pong, pong);
  };
  const pinger = setInterval(tick, pingEveryMs);
  pinger.unref();
  return {
    stalled: () => {
      if (!stalled || pingSentAt === undefined || deps.down()) return undefined;
      const now = Date.now();
      return (
        `NATS has not answered a ping for ${((now - pingSentAt) / 1000).toFixed(1)} s ` +
        `(sent at ${new Date(pingSentAt).toISOString()}): the broker is stalled or the network to it drops packets`
      );
    },
    answered: () => {
      answeredAt = Date.now();
      stalled = false;
    },
    stop: () => clearInterval(pinger),
  };
}
