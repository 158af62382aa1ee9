/**
 * Change Data Capture subscriptions and the session: the Pub/Sub API refuses a token the org does not honour
 * (UNAUTHENTICATED with Salesforce's auth error code), and a subscription opened after the org ended the session
 * (a session timeout shorter than the hour Junction assumes) goes out with the token the REST call before it renewed.
 */
import { afterEach, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { EMULATOR_ORG_ID } from '../../connectors/salesforce/emulator/pubsub-server.js';
import { changeEventStream } from '../../connectors/salesforce/pubsub/change-event-stream.js';
import { createConnectionClient } from '../../engine/http/connection-client.js';
import type { ConnectionClient } from '../../engine/http/connection-client.js';
import type { StreamContext, StreamSubscription } from '../../engine/sdk/index.js';
import { connectionTo, emulatorSecurity, failure, registry } from './connector-fixtures.js';
import { salesforce } from './fixtures/index.js';

let sf: SalesforceEmulator | undefined;
let client: ConnectionClient | undefined;
let subscription: StreamSubscription | undefined;
afterEach(async () => {
  subscription?.close();
  await client?.close();
  await sf?.stop();
  sf = client = subscription = undefined;
});

/** The first batch of the org's Account change events, through a subscription with this auth and REST access. */
async function firstBatch(org: SalesforceEmulator, access: Pick<StreamContext, 'authHeaders' | 'call'>) {
  subscription = changeEventStream.open({
    ...access,
    params: { topic: '/data/AccountChangeEvent' },
    options: { pubsub_url: org.pubsubUrl },
    baseUrl: org.url,
    checkOutbound: async () => ({ address: '127.0.0.1', family: 4 }),
    start: 'earliest',
    batchSize: 10,
  });
  const batch = await subscription[Symbol.asyncIterator]().next();
  return (batch.value as { events: { data: { Id: string; Name?: string } }[] }).events.map((e) => [
    e.data.Id,
    e.data.Name,
  ]);
}

it('refuses a subscription with a token the org does not honour: UNAUTHENTICATED, retried with a new token', async () => {
  const org = (sf = await startSalesforceEmulator({ pubsub: true }));
  const refused = await failure(
    firstBatch(org, {
      authHeaders: async () => ({ authorization: 'Bearer 00Dnot-a-session' }),
      call: async () => ({ organization_id: EMULATOR_ORG_ID }),
    }),
  );
  expect([refused.code, refused.disposition, refused.message]).toEqual([
    'auth-unavailable',
    'retryable',
    '16 UNAUTHENTICATED: sfdc.platform.eventbus.grpc.service.auth.error (sfdc.platform.eventbus.grpc.service.auth.error)',
  ]);
});

it('subscribes with a renewed token when the org ended the session the client still holds a token of', async () => {
  const org = (sf = await startSalesforceEmulator({ pubsub: true }));
  const rest = (client = createConnectionClient({
    connection: connectionTo(salesforce, org.url),
    connector: registry.get('salesforce')!,
    env: salesforce.env,
    security: emulatorSecurity(org.url),
  }));
  await rest.call('identity.userinfo', { params: {}, body: {} });
  org.expireTokens();
  org.store.insert('Account', { Id: '001900000000001AAA', Name: 'After the session' });
  const events = await firstBatch(org, {
    authHeaders: (refresh) => rest.authHeaders(refresh),
    call: async (operation, input) =>
      (await rest.call(operation, { params: input.params ?? {}, body: input.body })).result,
  });
  expect(events).toContainEqual(['001900000000001AAA', 'After the session']);
});
