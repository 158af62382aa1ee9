/**
 * Change Data Capture subscriptions and the session: the Pub/Sub API refuses a token the org does not honour
 * (UNAUTHENTICATED with Salesforce's auth error code).
 */
import { afterEach, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { EMULATOR_ORG_ID } from '../../connectors/salesforce/emulator/pubsub-server.js';
import { changeEventStream } from '../../connectors/salesforce/pubsub/change-event-stream.js';
import type { StreamContext, StreamSubscription } from '../../engine/sdk/index.js';
import { failure } from './connector-fixtures.js';

let sf: SalesforceEmulator | undefined;
let subscription: StreamSubscription | undefined;
afterEach(async () => {
  subscription?.close();
  await sf?.stop();
  sf = subscription = undefined;
});

/** The first batch of the org's Account change events, through a subscription with this auth and REST access. */
async function firstBatch(org: SalesforceEmulator, access: Pick<StreamContext, 'authHeaders' | 'call'>) {
  subscription = changeEventStream.open({
    ...access,
    params: { topic: '/data/AccountChangeEvent' },
    options: { pubsub_url: org.pubsubUrl },
    baseUrl: org.url,
    checkOutbound: async () => {},
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
