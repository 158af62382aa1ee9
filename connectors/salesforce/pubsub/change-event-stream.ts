/**
 * The `change_events` stream: a Pub/Sub API Subscribe on a Change Data Capture channel (`/data/AccountChangeEvent`,
 * `/data/ChangeEvents`, `/data/Invoice__ChangeEvent`). Flow control is pull-based: it asks for `batchSize` events
 * (at most 100, as Salesforce caps it) and asks again only when the engine has stored what came and wants more.
 * Schemas are fetched by id (GetSchema) and cached. The position handed back is the replay id (8-byte values in
 * the vendor samples, opaque to us: stored as hex) of the last event, or the keepalive's latest replay id. A stored
 * position resumes with a CUSTOM replay (events after it); one that is no longer retained (72 hours) is refused by
 * Salesforce with `replayid.corrupted`, and the subscription then starts from `EARLIEST`, as the vendor's sample
 * client does, and tells the engine (`notice`: the log, and the source's health), since what changed in between is
 * not delivered. An event that names no record (an overflow event, a field type conversion's wildcard) is not
 * stored as one: the engine is told what to reconcile (`notice`). A subscription that receives nothing, not even the
 * keepalive Salesforce sends within 270 s while events are owed, for `pubsub_keepalive_timeout` (330 s) has lost its
 * connection without a reset (a NAT or proxy dropped it): it fails, so the engine opens it again and its health
 * shows it.
 * `enrich_fields` reads the changed records with those fields (relationship fields too) before the event is stored,
 * because an update carries only what changed. A gap event carries no field at all, so it reads `gap_fields` too: the
 * fields an ordinary event carries itself, which the flow takes from the change.
 */
import { Metadata } from '@grpc/grpc-js';
import type { ClientDuplexStream, ServiceError } from '@grpc/grpc-js';
import { ConnectorError } from '../../../engine/sdk/index.js';
import type {
  RefusedEvent,
  StreamBatch,
  StreamContext,
  StreamSourceDef,
  StreamSubscription,
} from '../../../engine/sdk/index.js';
import { changeEvents } from './change-event.js';
import type { ChangeEventHeader } from './change-event.js';
import { PUBSUB_ENDPOINT, pubsubClient } from './pubsub-proto.js';
import { checkReadFields } from './read-fields-check.js';
import type { FetchRequest, FetchResponse, SchemaInfo } from './pubsub-proto.js';

type Row = Record<string, unknown>;
type Call = ClientDuplexStream<FetchRequest, FetchResponse>;

const FIELD = {
  type: 'string',
  pattern: '\\S',
  description: 'a field, such as Name, Owner.Name or a (SELECT …) subquery',
};

/** A list of SOQL fields, or (a channel of several objects) a list per object. */
const fieldsParam = (description: string, examples: unknown[]) => ({
  description,
  // One schema for both forms (no oneOf): a wrong entry is reported at the entry, in one message.
  type: ['array', 'object'],
  items: FIELD,
  additionalProperties: { type: 'array', items: FIELD },
  examples,
});

/** The stream's declaration. */
export const changeEventStream: StreamSourceDef = {
  description: 'Change Data Capture events from the Pub/Sub API (gRPC, Avro), optionally enriched with a record read.',
  vendorName: 'Pub/Sub API Subscribe (eventbus.v1.PubSub)',
  params: {
    type: 'object',
    required: ['topic'],
    additionalProperties: false,
    properties: {
      topic: {
        type: 'string',
        pattern: '^/data/',
        description: 'The change event channel.',
        examples: ['/data/AccountChangeEvent', '/data/ChangeEvents'],
      },
      enrich_fields: fieldsParam(
        'Read each changed record with these fields (SOQL: parent fields by the dot, child records by a subquery) ' +
          'before storing, and lay their current values over the event; on a channel of several objects, a list per ' +
          'object (objects not named are not read). A delete is not read.',
        [
          ['Name', 'Owner.Name', '(SELECT Email FROM Contacts)'],
          { Product2: ['Name'], PricebookEntry: ['Product2Id'] },
        ],
      ),
      gap_fields: fieldsParam(
        'Read these fields too for a gap event (GAP_CREATE, GAP_UPDATE, GAP_UNDELETE: a change Salesforce could ' +
          'not describe, sent with its header and record ids only): the fields the flow takes from the change ' +
          'itself, which an ordinary event carries (its values as of that change) and a gap event does not. A gap ' +
          'event then has the record as it is now; a GAP_DELETE is not read. List them here, not in enrich_fields, ' +
          "so ordinary events keep their own values. The flow's `when` must take the GAP_ change types.",
        [['QuantityOnHand'], { Fulfilment__c: ['Status__c'] }],
      ),
    },
  },
  // A replay id is the channel's: enrichment may change and the subscription still resumes after it.
  positionParams: ['topic'],
  checkParams: checkReadFields,
  standIns: {
    field: ['ChangeEventHeader', 'changeType'],
    pairs: { CREATE: 'GAP_CREATE', UPDATE: 'GAP_UPDATE', DELETE: 'GAP_DELETE', UNDELETE: 'GAP_UNDELETE' },
    why:
      'Salesforce sends a gap event (header and record ids only) instead of the ordinary one when it cannot ' +
      'generate it (an event over 1 MB, an internal error, a change applied in the database such as a cleanup job)',
  },
  open: (ctx) => subscribe(ctx),
};

function subscribe(ctx: StreamContext): StreamSubscription {
  const topic = String(ctx.params.topic);
  const batchSize = Math.min(100, ctx.batchSize);
  const url = String(ctx.options.pubsub_url ?? PUBSUB_ENDPOINT);
  const silenceMs = Number(ctx.options.pubsub_keepalive_timeout ?? 330) * 1000;
  let client: ReturnType<typeof pubsubClient> | undefined;
  let call: Call | undefined;
  let closed = false;
  const queue: FetchResponse[] = [];
  let failure: Error | undefined;
  let notify: (() => void) | undefined;
  const schemas = new Map<string, Promise<SchemaInfo>>();
  let metadata: Metadata | undefined;

  const connect = (preset: FetchRequest['replay_preset'], position?: string) => {
    call = client!.Subscribe(metadata!);
    call.on('data', (r: FetchResponse) => {
      queue.push(r);
      notify?.();
    });
    call.on('error', (e: ServiceError) => {
      failure = asError(e);
      notify?.();
    });
    call.on('end', () => {
      failure ??= new ConnectorError('network', 'the Pub/Sub API ended the subscription', 'retryable');
      notify?.();
    });
    call.write({
      topic_name: topic,
      replay_preset: preset,
      replay_id: position ? Buffer.from(position, 'hex') : Buffer.alloc(0),
      num_requested: batchSize,
    });
  };

  const start = async () => {
    // Connected to the address checked, never to the name again (DNS rebinding): pubsub-proto.ts.
    const pinned = await ctx.checkOutbound(url);
    // The REST call first: a token the org no longer honours is refused there and renewed (401, then one refresh),
    // so the subscription goes out with the live token rather than failing once with the stale one.
    const info = (await ctx.call('identity.userinfo', {})) as { organization_id?: string };
    const auth = await ctx.authHeaders();
    const token = /^Bearer (.+)$/i.exec(auth.authorization ?? '')?.[1];
    if (!token) throw new ConnectorError('auth', 'the Pub/Sub API needs an OAuth access token', 'permanent');
    metadata = new Metadata();
    metadata.set('accesstoken', token);
    metadata.set('instanceurl', ctx.baseUrl);
    metadata.set('tenantid', String(info.organization_id ?? ''));
    client = pubsubClient(url, pinned);
    connect(ctx.position ? 'CUSTOM' : ctx.start === 'earliest' ? 'EARLIEST' : 'LATEST', ctx.position);
  };

  const schema = (id: string) => {
    let found = schemas.get(id);
    if (!found) {
      found = new Promise<SchemaInfo>((resolve, reject) =>
        client!.GetSchema({ schema_id: id }, metadata!, (error, info) =>
          error ? reject(asError(error)) : resolve(info!),
        ),
      );
      schemas.set(id, found);
    }
    return found;
  };

  const toBatch = async (response: FetchResponse): Promise<StreamBatch> => {
    const events: StreamBatch['events'] = [];
    for (const consumed of response.events) {
      const info = await schema(consumed.event.schema_id);
      const replay = consumed.replay_id.toString('hex');
      for (const data of changeEvents(info.schema_json, consumed.event.payload)) {
        const missed = changesWithoutRecord(data, topic, replay);
        // No record to store, enrich or write: the engine reports it (log, source health) and the position moves on.
        if (missed) ctx.notice?.(missed);
        else events.push({ id: `${topic}:${replay}:${String(data.Id)}`, data });
      }
    }
    if ((ctx.params.enrich_fields || ctx.params.gap_fields) && events.length) await enrich(ctx, events);
    const last = response.events.at(-1)?.replay_id ?? response.latest_replay_id;
    return { events, position: last?.length ? last.toString('hex') : undefined };
  };

  let started: Promise<void> | undefined;
  let owed = 0;
  const next = async (): Promise<IteratorResult<StreamBatch>> => {
    started ??= start().then(() => void (owed = batchSize));
    await started;
    while (!closed) {
      const response = queue.shift();
      if (response) {
        owed = response.pending_num_requested;
        return { done: false, value: await toBatch(response) };
      }
      if (failure) {
        const error = failure;
        failure = undefined;
        if (/replayid\.(corrupted|validation\.failed)/.test(error.message) && ctx.position) {
          // The stored replay id is past retention: start over from what Salesforce still holds, and say so.
          ctx.notice?.(
            `the stored replay id ${ctx.position} of ${topic} is no longer retained by Salesforce (72 hours): ` +
              'resumed from the earliest event retained; changes made between the two are not delivered: ' +
              'backfill or reconcile them',
          );
          ctx.position = undefined;
          connect('EARLIEST');
          continue;
        }
        throw error;
      }
      if (owed === 0) {
        owed = batchSize;
        call!.write({ num_requested: batchSize });
      }
      // Salesforce sends a keepalive within 270 s while events are owed: silence longer than that is a lost connection.
      const silent = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), silenceMs);
        notify = () => {
          clearTimeout(timer);
          resolve(false);
        };
      });
      notify = undefined;
      if (silent && !closed)
        throw new ConnectorError(
          'network',
          `no message from the Pub/Sub API for ${silenceMs / 1000} s (Salesforce sends a keepalive within 270 s): ` +
            'the subscription is taken for lost and opened again',
          'retryable',
        );
    }
    return { done: true, value: undefined };
  };

  return {
    [Symbol.asyncIterator]: () => ({ next, return: async () => ({ done: true, value: undefined }) }),
    close: () => {
      closed = true;
      call?.cancel();
      client?.close();
      notify?.();
    },
  };
}

/** Salesforce's empty record id: the only id of an overflow event. */
const EMPTY_RECORD_ID = '000000000000000AAA';

/**
 * What an event that names no record stands for, or undefined for a record's change (gap events name theirs). An
 * overflow event (GAP_OVERFLOW, recordIds the empty id) stands for the changes of one object beyond the first 100,000
 * of a transaction; a wildcard (`001*`, a key prefix) for a custom field type conversion that set a field to null in
 * every record of the object. Either as a record would be keyed by an id no record has, and enriching it by that id
 * fails (a wildcard is no id: the query is refused, and the subscription with it, event after event).
 */
function changesWithoutRecord(data: Row, topic: string, replay: string): string | undefined {
  const header = data.ChangeEventHeader as ChangeEventHeader;
  const at = header.commitTimestamp;
  const when = typeof at === 'number' ? ` committed at ${new Date(at).toISOString()}` : '';
  const entity = header.entityName;
  const remedy = `reconcile or backfill the ${entity} records changed since then`;
  if (header.changeType === 'GAP_OVERFLOW' || data.Id === EMPTY_RECORD_ID)
    return (
      `Salesforce sent an overflow event (GAP_OVERFLOW) on ${topic} at replay id ${replay}: transaction ` +
      `${header.transactionKey ?? '(no key)'}${when} made more than 100,000 changes, and its ${entity} changes ` +
      `beyond them carry no event and name no record: ${remedy}`
    );
  if (typeof data.Id === 'string' && data.Id.endsWith('*'))
    return (
      `Salesforce sent a change event for every ${entity} record (recordIds ${data.Id}) on ${topic} at replay id ` +
      `${replay}${when}: a custom field type conversion set a field to null in all of them, and the event names no ` +
      `record: ${remedy}`
    );
  return undefined;
}

type FieldsParam = string[] | Record<string, string[]> | undefined;
type ChangeRow = Row & { ChangeEventHeader: { entityName: string; changeType: string } };

/**
 * The fields read for one event: `enrich_fields` for a create, update or undelete; for a gap event (Salesforce:
 * header only, "retrieve the Salesforce record using the record ID value to get the current data") `gap_fields` as
 * well; none for a delete or a gap delete (the record is gone).
 */
function fieldsToRead(params: Row, entity: string, changeType: string): string[] {
  const of = (wanted: FieldsParam) => (Array.isArray(wanted) ? wanted : (wanted?.[entity] ?? []));
  if (changeType.endsWith('DELETE')) return [];
  const gap = changeType.startsWith('GAP_') ? of(params.gap_fields as FieldsParam) : [];
  return [...new Set([...of(params.enrich_fields as FieldsParam), ...gap])];
}

/**
 * Reads the changed records, one query per object and field list, and lays their current values over each event.
 * A gap event reads more fields than an ordinary one (`gap_fields`), so it is read apart: an ordinary event of the
 * same record in the batch keeps the values of its own change. A read Salesforce refuses for good (HTTP 400: a field
 * or relationship the object does not have, INVALID_FIELD) would be refused again on every redelivery and hold the
 * subscription at that event for ever: its events are marked refused (the engine dead-letters them), naming the
 * params at fault, and the others go on.
 */
async function enrich(ctx: StreamContext, events: StreamBatch['events']): Promise<void> {
  const reads = new Map<string, { entity: string; fields: string[]; events: StreamBatch['events'] }>();
  for (const event of events) {
    const row = event.data as ChangeRow;
    const { entityName: entity, changeType } = row.ChangeEventHeader;
    const fields = fieldsToRead(ctx.params, entity, changeType);
    if (fields.length === 0) continue;
    const at = `${entity} ${fields.join(',')}`;
    const read = reads.get(at) ?? { entity, fields, events: [] };
    read.events.push(event);
    reads.set(at, read);
  }
  for (const { entity, fields, events: read } of reads.values()) {
    const rows = read.map((e) => e.data as ChangeRow);
    const select = [...new Set(['Id', ...fields])];
    const ids = [...new Set(rows.map((r) => String(r.Id)))].map((id) => `'${id.replace(/'/g, '')}'`);
    const q = `SELECT ${select.join(', ')} FROM ${entity} WHERE Id IN (${ids.join(', ')})`;
    let result: { records?: Row[] };
    try {
      result = (await ctx.call('query', { params: { q } })) as { records?: Row[] };
    } catch (error) {
      if (!(error instanceof ConnectorError) || error.retryable || error.status !== 400) throw error;
      const refused = refusal(ctx.params, entity, fields, error);
      for (const event of read) event.refused = refused;
      continue;
    }
    const current = new Map((result.records ?? []).map((r) => [String(r.Id), withoutAttributes(r)]));
    for (const row of rows) Object.assign(row, current.get(String(row.Id)) ?? {});
  }
}

/**
 * Why an enrichment read was refused, and the params to fix: the entries that name the column or relationship
 * Salesforce's message names (`No such column 'X' on entity 'Y'`, `Didn't understand relationship 'X'`), else every
 * entry read for the object.
 */
function refusal(params: Row, entity: string, fields: string[], error: ConnectorError): RefusedEvent {
  const named = /No such column '(\w+)'|relationship '(\w+)'/.exec(error.message);
  const culprit = (named?.[1] ?? named?.[2])?.toLowerCase();
  const entries: { path: (string | number)[]; field: string }[] = [];
  for (const param of ['enrich_fields', 'gap_fields']) {
    const value = params[param] as FieldsParam;
    const list = Array.isArray(value) ? value : value?.[entity];
    const at = Array.isArray(value) ? [param] : [param, entity];
    list?.forEach((field, i) => {
      if (fields.includes(field)) entries.push({ path: [...at, i], field });
    });
  }
  const words = (field: string) => field.toLowerCase().split(/[^\w]+/);
  const atFault = culprit ? entries.filter((e) => words(e.field).includes(culprit)) : [];
  const chosen = atFault.length ? atFault : entries;
  const name = named?.[1] ?? named?.[2];
  const on = /on entity '(\w+)'/.exec(error.message)?.[1] ?? entity;
  const readAs = chosen.map((e) => e.field).filter((f) => f !== name);
  const what = !name
    ? `one of ${chosen.map((e) => e.field).join(', ')} is not a field of ${entity}`
    : `\`${name}\`${readAs.length ? ` (read as ${readAs.join(', ')})` : ''} is not a ` +
      `${named?.[1] ? 'field' : 'relationship'} of ${on}`;
  const reason =
    error.message
      .split('\n')
      .filter((l) => /\w/.test(l))
      .at(-1) ?? error.message;
  return {
    code: 'enrichment-refused',
    message:
      `Salesforce refused the enrichment read of this ${entity} change (${error.vendorCode ?? error.status}: ` +
      `${reason}): ${what} in this org; fix it in the spec`,
    params: chosen.map((e) => e.path),
  };
}

/** The record without Salesforce's `attributes`, in its parents and in its subqueries' records too. */
function withoutAttributes(value: unknown): Row {
  if (Array.isArray(value)) return value.map(withoutAttributes) as unknown as Row;
  if (value === null || typeof value !== 'object') return value as Row;
  return Object.fromEntries(
    Object.entries(value as Row)
      .filter(([k]) => k !== 'attributes')
      .map(([k, v]) => [k, v !== null && typeof v === 'object' ? withoutAttributes(v) : v]),
  );
}

function asError(error: ServiceError | Error): ConnectorError {
  const code = (error as ServiceError).metadata?.get('error-code')?.[0];
  const status = (error as ServiceError).code;
  const message = `${error.message}${code ? ` (${String(code)})` : ''}`;
  // UNAUTHENTICATED (16) or the auth error code: resubscribing fetches a fresh token.
  return new ConnectorError(status === 16 ? 'auth-unavailable' : 'network', message, 'retryable');
}
