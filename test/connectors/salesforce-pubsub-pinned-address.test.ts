/**
 * The Pub/Sub API client connects to the address the SSRF guard checked, never to the host name again: a name that
 * answers a checked address first and another one after (DNS rebinding) cannot steer the gRPC channel past the guard.
 * The TLS server name and the `:authority` stay the host name, so Salesforce's certificate is checked against it.
 */
import dns from 'node:dns';
import type { LookupAddress } from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import { afterEach, expect, it } from 'vitest';
import { startSalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import type { SalesforceEmulator } from '../../connectors/salesforce/emulator/index.js';
import { pubsubChannel } from '../../connectors/salesforce/pubsub/pubsub-proto.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import { createStreamOpener } from '../../engine/http/stream-opener.js';
import type { StreamSubscription } from '../../engine/sdk/index.js';
import { connectionTo, registry } from './connector-fixtures.js';
import { salesforce } from './fixtures/index.js';

const REBINDING = 'pubsub.rebinding.test';
const realLookup = dns.lookup;
const realPromisesLookup = dns.promises.lookup;
let sf: SalesforceEmulator | undefined;
let subscription: StreamSubscription | undefined;
afterEach(async () => {
  dns.lookup = realLookup;
  dns.promises.lookup = realPromisesLookup;
  syncBuiltinESMExports();
  subscription?.close();
  await sf?.stop();
  sf = subscription = undefined;
});

/** `REBINDING` resolves to 127.0.0.1 the first time and to 127.0.0.2 (where nothing listens) every time after. */
function rebindingDns(): string[] {
  const asked: string[] = [];
  const answer = (): LookupAddress[] => [{ address: asked.length === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
  dns.lookup = ((hostname: string, options: unknown, callback: (...args: unknown[]) => void) => {
    if (hostname !== REBINDING) return (realLookup as (...args: unknown[]) => void)(hostname, options, callback);
    asked.push('lookup');
    const addresses = answer();
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    process.nextTick(() => (all ? callback(null, addresses) : callback(null, addresses[0].address, 4)));
  }) as typeof dns.lookup;
  dns.promises.lookup = (async (hostname: string, options?: unknown) => {
    if (hostname !== REBINDING) return (realPromisesLookup as (...args: unknown[]) => unknown)(hostname, options);
    asked.push('promises.lookup');
    const addresses = answer();
    return (options as { all?: boolean } | undefined)?.all ? addresses : addresses[0];
  }) as typeof dns.promises.lookup;
  syncBuiltinESMExports();
  return asked;
}

it('subscribes at the address the guard checked when the name answers another one the second time', async () => {
  const org = (sf = await startSalesforceEmulator({ pubsub: true }));
  org.store.insert('Account', { Id: '001900000000001AAA', Name: 'Pinned' });
  const port = new URL(org.pubsubUrl!).port;
  const connection = connectionTo(salesforce, org.url, {
    options: { ...salesforce.options, pubsub_url: `http://${REBINDING}:${port}` },
  });
  const specSet = { connections: new Map([[connection.name, connection]]) } as unknown as CompiledSpecSet;
  const asked = rebindingDns();
  const open = createStreamOpener({
    specSet,
    connectors: registry,
    env: salesforce.env,
    // The operator allows the emulators by name: a listed name may resolve to a private address.
    security: { outbound: { allowPrivateNetwork: false, allowedHosts: [new URL(org.url).host, REBINDING] } },
  });
  subscription = open({
    connection: connection.name,
    stream: 'change_events',
    params: { topic: '/data/AccountChangeEvent' },
    start: 'earliest',
    batchSize: 10,
  });
  const batch = await subscription[Symbol.asyncIterator]().next();
  const events = (batch.value as { events: { data: { Id: string; Name?: string } }[] }).events;
  expect(events.map((e) => [e.data.Id, e.data.Name])).toContainEqual(['001900000000001AAA', 'Pinned']);
  // The guard's lookup was the only one: gRPC was given the address, not the name.
  expect(asked).toEqual(['lookup']);
});

it('connects a TLS channel to the checked address with the host name as server name and authority', () => {
  const url = 'https://api.pubsub.salesforce.com:7443';
  expect(pubsubChannel(url, { address: '203.0.113.7', family: 4 })).toStrictEqual({
    target: 'ipv4:203.0.113.7:7443',
    options: {
      'grpc.default_authority': 'api.pubsub.salesforce.com:7443',
      'grpc.ssl_target_name_override': 'api.pubsub.salesforce.com',
    },
  });
  expect(pubsubChannel('https://api.pubsub.salesforce.com', { address: '2001:db8::7', family: 6 })).toStrictEqual({
    target: 'ipv6:[2001:db8::7]:443',
    options: {
      'grpc.default_authority': 'api.pubsub.salesforce.com:443',
      'grpc.ssl_target_name_override': 'api.pubsub.salesforce.com',
    },
  });
});
