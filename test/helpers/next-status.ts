/** Waiting for a connection's status, for tests that stop and restart the broker under it. */
import type { NatsConnection } from '@nats-io/transport-node';

/** Resolves at the connection's next status of `type` (`disconnect`, `reconnecting`, `reconnect`…). */
export async function nextStatus(nc: NatsConnection, type: string): Promise<void> {
  for await (const s of nc.status()) if (s.type === type) return;
}
