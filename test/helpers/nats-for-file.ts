/** A test file's own nats-server and client connection (vitest hooks, so only for test files). */
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll } from 'vitest';
import { startTestNatsServer } from './nats-server.js';
import type { TestNatsServer } from './nats-server.js';

/**
 * One server and one connection for a whole test file: started before its first test, closed after its last. Read
 * `server` and `nc` inside tests (they are set once `beforeAll` ran).
 */
export function natsForFile(): { readonly server: TestNatsServer; readonly nc: NatsConnection } {
  const shared = {} as { server: TestNatsServer; nc: NatsConnection };
  beforeAll(async () => {
    shared.server = await startTestNatsServer();
    shared.nc = await connect({ servers: shared.server.url, noAsyncTraces: true });
  });
  afterAll(async () => {
    await shared.nc.close();
    await shared.server.dispose();
  });
  return shared;
}
