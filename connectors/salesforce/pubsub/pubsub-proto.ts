/** The Pub/Sub API's gRPC definitions, loaded from our proto (pubsub-api.proto) for the client and the emulator. */
import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import type {
  CallOptions,
  ChannelCredentials,
  ChannelOptions,
  Client,
  ClientDuplexStream,
  Metadata,
  ServiceDefinition,
  ServiceError,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { OutboundAddress } from '../../../engine/sdk/index.js';

/** The endpoint Salesforce documents for the Pub/Sub API (TLS). */
export const PUBSUB_ENDPOINT = 'https://api.pubsub.salesforce.com:7443';

/** Messages as proto-loader gives them: field names as in the proto, bytes as Buffers, enums as names. */
export interface FetchRequest {
  topic_name?: string;
  replay_preset?: 'LATEST' | 'EARLIEST' | 'CUSTOM';
  replay_id?: Buffer;
  num_requested?: number;
}
export interface ConsumerEvent {
  event: { id: string; schema_id: string; payload: Buffer; headers?: { key: string; value: Buffer }[] };
  replay_id: Buffer;
}
export interface FetchResponse {
  events: ConsumerEvent[];
  latest_replay_id: Buffer;
  rpc_id: string;
  pending_num_requested: number;
}
export interface SchemaInfo {
  schema_json: string;
  schema_id: string;
  rpc_id?: string;
}
export interface TopicInfo {
  topic_name: string;
  tenant_guid: string;
  can_publish: boolean;
  can_subscribe: boolean;
  schema_id: string;
  rpc_id?: string;
}

/** The generated client's methods we call. */
export interface PubSubClient extends Client {
  Subscribe(metadata: Metadata, options?: CallOptions): ClientDuplexStream<FetchRequest, FetchResponse>;
  GetSchema(
    request: { schema_id: string },
    metadata: Metadata,
    callback: (error: ServiceError | null, info?: SchemaInfo) => void,
  ): void;
}

type PubSubConstructor = {
  new (address: string, creds: ChannelCredentials, options?: ChannelOptions): PubSubClient;
  service: ServiceDefinition;
};
let loaded: PubSubConstructor | undefined;

/** The generated service, loaded on first use (validating specs never needs the proto). */
function pubsub(): PubSubConstructor {
  if (!loaded) {
    const definition = loadSync(fileURLToPath(new URL('./pubsub-api.proto', import.meta.url)), {
      keepCase: true,
      enums: String,
      longs: String,
      defaults: true,
    });
    loaded = (loadPackageDefinition(definition).eventbus as unknown as { v1: { PubSub: PubSubConstructor } }).v1.PubSub;
  }
  return loaded;
}

/** The service definition, for the emulator's server. */
export const pubsubService = (): ServiceDefinition => pubsub().service;

/**
 * Where a client for `url` (`https://host:port`, or `http://` for a plaintext loopback emulator) connects: the
 * checked `pinned` address when given (an `ipv4:`/`ipv6:` target, which gRPC does not resolve again), with the URL's
 * host name as the TLS server name (SNI and certificate check) and as the `:authority`, as if it had resolved it.
 */
export function pubsubChannel(
  url: string,
  pinned?: OutboundAddress,
): { target: string; options: Record<string, string> } {
  const target = new URL(url);
  const port = target.port || (target.protocol === 'http:' ? '80' : '443');
  if (!pinned) return { target: `${target.hostname}:${port}`, options: {} };
  const authority = `${target.hostname}:${port}`;
  return {
    target: pinned.family === 6 ? `ipv6:[${pinned.address}]:${port}` : `ipv4:${pinned.address}:${port}`,
    options: {
      'grpc.default_authority': authority,
      ...(target.protocol === 'http:'
        ? {}
        : { 'grpc.ssl_target_name_override': target.hostname.replace(/^\[|\]$/g, '') }),
    },
  };
}

/** A client for `url`, connected to `pinned` when given (see pubsubChannel). */
export function pubsubClient(url: string, pinned?: OutboundAddress): PubSubClient {
  const { target, options } = pubsubChannel(url, pinned);
  const creds = new URL(url).protocol === 'http:' ? credentials.createInsecure() : credentials.createSsl();
  return new (pubsub())(target, creds, options);
}
