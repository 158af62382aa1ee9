/**
 * The emulator's Pub/Sub API: a gRPC server on loopback (plaintext; Salesforce itself is TLS on port 7443) with
 * Subscribe, GetSchema and GetTopic. Every committed record change (REST writes, composite, test controls) becomes
 * a change event on `/data/<Object>ChangeEvent`, `/data/ChangeEvents` and the custom channels (`/data/<Name>__chn`)
 * whose member it is, with an 8-byte big-endian replay id, as the vendor's sample clients expect. Calls need the
 * metadata `accesstoken` (a token the emulator issued), `instanceurl` and `tenantid` (the org id); otherwise they
 * fail UNAUTHENTICATED with the `error-code` trailer
 * `sfdc.platform.eventbus.grpc.service.auth.error`. Subscribe honours LATEST, EARLIEST and CUSTOM (events after
 * the given replay id; an unknown one fails INVALID_ARGUMENT with `…fetch.replayid.corrupted`), adds up
 * `num_requested` (at most 100 a request) and never sends more than is owed. While events are owed and none comes,
 * it sends a keepalive (an empty FetchResponse with the latest replay id) every `keepaliveMs`, as Salesforce does
 * within 270 s (proto `FetchResponse`). `stall()` makes the streams open now go silent, as a connection lost
 * without a reset does: they stay open and nothing more arrives, not even a keepalive.
 */
import { Metadata, Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { ServerDuplexStream, ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { SOBJECT_SCHEMAS } from '../schemas/index.js';
import { pubsubService } from '../pubsub/pubsub-proto.js';
import type { FetchRequest, FetchResponse, SchemaInfo, TopicInfo } from '../pubsub/pubsub-proto.js';
import { changePayload, channelOf, eventSchema } from './change-event-schema.js';
import { objectSchema } from './field-rules.js';
import type { EventSchema } from './change-event-schema.js';
import type { RecordChange } from './record-changes.js';
import type { SalesforceState } from './state.js';

/** The org id the emulator's tokens belong to (`tenantid`). */
export const EMULATOR_ORG_ID = '00D000000000001AAA';

interface BusEvent {
  replay: bigint;
  topics: string[];
  schemaId: string;
  payload: Buffer;
  id: string;
}

export interface PubSubServer {
  url: string;
  /** Publishes one change (the emulator's record store calls it for every commit). */
  publish(change: RecordChange): void;
  /** Subscribe streams open now, and the most ever open at once (tests: one subscriber per cluster). */
  subscriptions(): { open: number; peak: number };
  /** The streams open now go silent (a connection lost without a reset); later ones are served. */
  stall(): void;
  stop(): Promise<void>;
}

export async function startPubSubServer(options: {
  state: () => SalesforceState;
  instanceUrl: () => string;
  host?: string;
  /** Custom channels (`/data/<Name>__chn`) and their member objects. */
  channels?: Record<string, string[]>;
  /** How often an idle subscription gets a keepalive. @default 270 s (Salesforce: within 270 s) */
  keepaliveMs?: number;
}): Promise<PubSubServer> {
  const log: BusEvent[] = [];
  const schemas = new Map<string, EventSchema>();
  const listeners = new Set<() => void>();
  const stalled = new WeakSet<() => void>();
  let peak = 0;
  // The org's fields as it has them (custom ones like standard ones, none it lacks); adding one changes the schema
  // (and its id).
  const schemaOf = (sobject: string) => {
    const fields = SOBJECT_SCHEMAS[sobject] ? objectSchema(sobject, options.state()).properties : {};
    const schema = eventSchema(sobject, fields);
    schemas.set(schema.id, schema);
    return schema;
  };
  const topics = () => new Map(Object.keys(SOBJECT_SCHEMAS).map((o) => [channelOf(o), o]));
  const channels = Object.entries(options.channels ?? {});
  // A channel of several objects: every object's (`/data/ChangeEvents`) or a custom channel's members.
  const multiObject = (topic: string) => topic === '/data/ChangeEvents' || channels.some(([name]) => name === topic);

  const denied = (metadata: Metadata) => {
    const token = String(metadata.get('accesstoken')[0] ?? '');
    const expires = options.state().tokens.get(token);
    const ok =
      expires !== undefined &&
      expires > Date.now() &&
      String(metadata.get('instanceurl')[0] ?? '') === options.instanceUrl() &&
      String(metadata.get('tenantid')[0] ?? '') === EMULATOR_ORG_ID;
    return ok ? undefined : failure(status.UNAUTHENTICATED, 'sfdc.platform.eventbus.grpc.service.auth.error');
  };

  const server = new Server();
  server.addService(pubsubService(), {
    GetSchema: (call: ServerUnaryCall<{ schema_id: string }, SchemaInfo>, done: sendUnaryData<SchemaInfo>) => {
      const refused = denied(call.metadata);
      if (refused) return done(refused);
      const schema = schemas.get(call.request.schema_id);
      if (!schema) return done(failure(status.NOT_FOUND, 'sfdc.platform.eventbus.grpc.schema.not.found'));
      done(null, { schema_json: schema.json, schema_id: schema.id, rpc_id: rpcId() });
    },
    GetTopic: (call: ServerUnaryCall<{ topic_name: string }, TopicInfo>, done: sendUnaryData<TopicInfo>) => {
      const refused = denied(call.metadata);
      if (refused) return done(refused);
      const sobject = topics().get(call.request.topic_name);
      if (!sobject && !multiObject(call.request.topic_name))
        return done(failure(status.NOT_FOUND, 'sfdc.platform.eventbus.grpc.topic.not.found'));
      done(null, {
        topic_name: call.request.topic_name,
        tenant_guid: EMULATOR_ORG_ID,
        can_publish: false,
        can_subscribe: true,
        schema_id: sobject ? schemaOf(sobject).id : '',
        rpc_id: rpcId(),
      });
    },
    Subscribe: (call: ServerDuplexStream<FetchRequest, FetchResponse>) => {
      // The call ends with the error's status (what grpc-js sends for an emitted error); `destroy` sent nothing, so a
      // refused subscription hung instead of failing as Salesforce's does.
      const refuse = (error: Error) => void call.emit('error', error);
      const refused = denied(call.metadata);
      if (refused) return refuse(refused);
      let topic: string | undefined;
      let next = 0;
      let owed = 0;
      const pump = () => {
        if (topic === undefined || owed === 0 || stalled.has(pump)) return;
        const events: BusEvent[] = [];
        while (next < log.length && events.length < owed) {
          const event = log[next++];
          if (event.topics.includes(topic)) events.push(event);
        }
        if (events.length === 0) return;
        owed -= events.length;
        call.write({
          events: events.map((e) => ({
            event: { id: e.id, schema_id: e.schemaId, payload: e.payload, headers: [] },
            replay_id: replayBytes(e.replay),
          })),
          latest_replay_id: replayBytes(events[events.length - 1].replay),
          rpc_id: rpcId(),
          pending_num_requested: owed,
        });
      };
      call.on('data', (request: FetchRequest) => {
        if (topic === undefined) {
          topic = request.topic_name ?? '';
          if (!topics().has(topic) && !multiObject(topic))
            return refuse(failure(status.NOT_FOUND, 'sfdc.platform.eventbus.grpc.topic.not.found'));
          if (request.replay_preset === 'EARLIEST') next = 0;
          else if (request.replay_preset === 'CUSTOM') {
            const after = request.replay_id?.length === 8 ? request.replay_id.readBigUInt64BE() : undefined;
            const at = after === undefined ? -1 : log.findIndex((e) => e.replay === after);
            if (at < 0)
              return refuse(
                failure(status.INVALID_ARGUMENT, 'sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted'),
              );
            next = at + 1;
          } else next = log.length;
        } else if (request.topic_name && request.topic_name !== topic)
          return refuse(failure(status.INVALID_ARGUMENT, 'sfdc.platform.eventbus.grpc.subscription.topic.mismatch'));
        owed += Math.min(100, Math.max(0, request.num_requested ?? 0));
        pump();
      });
      listeners.add(pump);
      peak = Math.max(peak, listeners.size);
      // Nothing owed is pending on the log (pump sent it all): the position scanned so far is the latest replay id.
      const keepalive = setInterval(() => {
        if (topic === undefined || owed === 0 || stalled.has(pump)) return;
        call.write({
          events: [],
          latest_replay_id: next > 0 ? replayBytes(log[next - 1].replay) : Buffer.alloc(0),
          rpc_id: rpcId(),
          pending_num_requested: owed,
        });
      }, options.keepaliveMs ?? 270_000);
      const end = () => {
        clearInterval(keepalive);
        listeners.delete(pump);
      };
      call.on('end', () => {
        end();
        call.end();
      });
      call.on('cancelled', end);
      call.on('error', end);
    },
  });
  const host = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:0`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  let replay = 1000n;
  return {
    url: `http://${host}:${port}`,
    publish: (change) => {
      if (!SOBJECT_SCHEMAS[change.sobject]) return;
      const schema = schemaOf(change.sobject);
      log.push({
        replay: ++replay,
        topics: [
          channelOf(change.sobject),
          '/data/ChangeEvents',
          ...channels.filter(([, members]) => members.includes(change.sobject)).map(([name]) => name),
        ],
        schemaId: schema.id,
        payload: changePayload(schema, change),
        id: `${change.id}-${replay}`,
      });
      for (const pump of listeners) pump();
    },
    subscriptions: () => ({ open: listeners.size, peak }),
    stall: () => {
      for (const pump of listeners) stalled.add(pump);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

const rpcId = () => Math.random().toString(16).slice(2);

function replayBytes(replay: bigint): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64BE(replay);
  return bytes;
}

/** A gRPC error carrying Salesforce's `error-code` trailer. */
function failure(code: status, errorCode: string) {
  const metadata = new Metadata();
  metadata.set('error-code', errorCode);
  return Object.assign(new Error(errorCode), { code, details: errorCode, metadata });
}
