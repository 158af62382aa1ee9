/**
 * Starts the Salesforce emulator: OAuth2 client credentials with expiring tokens, sObjects with Salesforce's field
 * rules, SOQL, composite, the daily API allocation, and vendor-shaped faults (row locks).
 */
import { startEmulatorServer } from '../../../engine/sdk/index.js';
import type { EmulatorOptions, EmulatorServer, JsonSchema } from '../../../engine/sdk/index.js';
import { ApiAllocation } from './api-allocation.js';
import type { ApiAllocationOptions } from './api-allocation.js';
import { countryPicklist } from './country-picklists.js';
import { postingStatusField } from './record-locks.js';
import { rowLockFault } from './row-lock-fault.js';
import type { RowLockOptions } from './row-lock-fault.js';
import type { GapType, RecordChange } from './record-changes.js';
import { RecordStore } from './record-store.js';
import type { Row } from './record-store.js';
import { EMULATOR_ORG_ID, startPubSubServer } from './pubsub-server.js';
import { salesforceRoutes } from './routes.js';
import { seedSalesforceState } from './state.js';
import { SOBJECT_SCHEMAS } from '../schemas/index.js';
import type { SalesforceState } from './state.js';

/** The client credentials the emulator accepts unless told otherwise. */
export const SALESFORCE_EMULATOR_CLIENT = {
  clientId: 'junction-emulator-client',
  clientSecret: 'junction-emulator-secret',
};

/** A running Salesforce emulator, with its org state for assertions. */
export interface SalesforceEmulator extends EmulatorServer {
  state: SalesforceState;
  /** The org's records: the one place they change (subscribe with `store.onChange`). */
  store: RecordStore;
  /** The daily API allocation (`allocation.setUsed(n)`, `allocation.limit`). */
  allocation: ApiAllocation;
  /** Records of one object, for assertions. */
  records(sobject: string): Row[];
  /** Makes every issued token expire now (the next call gets 401 INVALID_SESSION_ID). */
  expireTokens(): void;
  /** Stops the emulator's clock at `iso` (writes then share one SystemModstamp), or lets it run again. */
  setClock(iso?: string): void;
  /** Calls `listener` with every committed record change (Change Data Capture, tests). */
  onChange(listener: (change: RecordChange) => void): void;
  /** The next matching writes fail with UNABLE_TO_LOCK_ROW (wrapped by a trigger when `wrapped`). */
  failRowLock(options?: RowLockOptions): void;
  /** The org's admin adds (or changes) a custom field: writes accept it and describe lists it. */
  addCustomField(sobject: string, name: string, field: JsonSchema): void;
  /** FinancialForce posts a document (what the Post button or background posting does): it becomes Complete. */
  post(sobject: string, id: string): void;
  /** The Pub/Sub API (gRPC) URL, when started with `pubsub: true`. */
  pubsubUrl?: string;
  /** Pub/Sub Subscribe streams open now, and the most ever open at once. */
  pubsubSubscriptions(): { open: number; peak: number };
  /** The Pub/Sub subscriptions open now go silent (a connection lost without a reset); later ones are served. */
  pubsubStall(): void;
  /**
   * Publishes a change event that carries only its header, as Salesforce does for an overflow event (a transaction of
   * more than 100,000 changes: `GAP_OVERFLOW`, recordIds `["000000000000000AAA"]`) and for a custom field type
   * conversion that nulls a field in every record (`UPDATE`, recordIds `["<key prefix>*"]`).
   */
  pubsubHeaderOnly(sobject: string, type: 'UPDATE' | 'GAP_OVERFLOW', recordIds: string[]): void;
  /**
   * The next `count` committed changes of `sobject` are published as gap events instead (GAP_CREATE, GAP_UPDATE,
   * GAP_DELETE: the header with the change type and record id, no field, no changed fields), as Salesforce does for a
   * change it cannot describe (an event over 1 MB, an internal error, a change applied in the database). The record
   * itself changes as written.
   */
  pubsubGaps(sobject: string, count?: number): void;
}

/** Options of the Salesforce emulator. */
export interface SalesforceEmulatorOptions extends EmulatorOptions {
  /** Accepted client id. @default SALESFORCE_EMULATOR_CLIENT.clientId */
  clientId?: string;
  /** Accepted client secret. @default SALESFORCE_EMULATOR_CLIENT.clientSecret */
  clientSecret?: string;
  /** How long an access token stays valid. @default 2 hours */
  tokenTtlMs?: number;
  /** Records per query page before `nextRecordsUrl`. @default 2000 */
  queryBatchSize?: number;
  /** The org's API request allocation. @default 100000 calls per rolling 24 hours */
  allocation?: ApiAllocationOptions;
  /** Also serve the Pub/Sub API (Change Data Capture) over gRPC on loopback. @default false */
  pubsub?: boolean;
  /** How often an idle Pub/Sub subscription gets a keepalive. @default 270 s */
  pubsubKeepaliveMs?: number;
  /**
   * The org's custom change event channels and their members (what PlatformEventChannel and
   * PlatformEventChannelMember configure), e.g. `{ '/data/Catalog__chn': ['Product2', 'PricebookEntry'] }`.
   * @default none
   */
  channels?: Record<string, string[]>;
  /**
   * Custom fields the org's admin added, per object, as field schemas (sobject-schema.ts builders): writes accept
   * them and describe lists them. @default none
   */
  customFields?: Record<string, Record<string, JsonSchema>>;
  /**
   * Standard fields this org does not have, per object: fields that exist only with a licence the org lacks, e.g.
   * `{ ContactPointAddress: ['AddressFirstName', 'AddressLastName'] }` without B2B Commerce. Writes refuse them
   * (INVALID_FIELD) and describe leaves them out. @default none
   */
  absentFields?: Record<string, string[]>;
  /**
   * State and Country/Territory Picklists: `true` (the standard names as integration values) or the admin's own
   * integration values per ISO code (`{ US: 'USA' }`). The address Country fields then take only integration values,
   * and `BillingCountryCode`, `ShippingCountryCode`, `CountryCode` exist (country-picklists.ts). @default off: free
   * text, no code fields
   */
  countryPicklists?: boolean | { integrationValues: Record<string, string> };
}

const REST = '/services/data/';

/** Starts the emulator on loopback (a random port unless `port` is given). */
export async function startSalesforceEmulator(options: SalesforceEmulatorOptions = {}): Promise<SalesforceEmulator> {
  let frozenAt: number | undefined;
  const setClock = (iso?: string) => void (frozenAt = iso === undefined ? undefined : Date.parse(iso));
  // One store for the emulator's life, so change subscribers survive a reset.
  let state = seedSalesforceState(
    new RecordStore(Object.keys(SOBJECT_SCHEMAS), () => frozenAt ?? Date.now()),
    new Map(Object.entries(options.customFields ?? {})),
    new Map(Object.entries(options.absentFields ?? {})),
    options.countryPicklists
      ? countryPicklist(options.countryPicklists === true ? {} : options.countryPicklists.integrationValues)
      : undefined,
  );
  const allocation = new ApiAllocation(options.allocation);
  let url = '';
  const config = {
    clientId: options.clientId ?? SALESFORCE_EMULATOR_CLIENT.clientId,
    clientSecret: options.clientSecret ?? SALESFORCE_EMULATOR_CLIENT.clientSecret,
    tokenTtlMs: options.tokenTtlMs ?? 2 * 3600_000,
    queryBatchSize: options.queryBatchSize ?? 2000,
    url: () => url,
    allocation,
  };
  const expireTokens = () => {
    for (const token of state.tokens.keys()) state.tokens.set(token, 0);
  };
  const failRowLock = (lock: RowLockOptions = {}) => server.fail(rowLockFault(lock));
  const addCustomField = (sobject: string, name: string, field: JsonSchema) =>
    void state.customFields.set(sobject, { ...state.customFields.get(sobject), [name]: field });
  const post = (sobject: string, id: string) => {
    const status = postingStatusField(sobject);
    if (!status) throw new Error(`${sobject} is not a FinancialForce document that is posted`);
    state.store.update(sobject, id, { [status]: 'Complete' });
  };
  const server: EmulatorServer = await startEmulatorServer(
    {
      name: 'salesforce',
      routes: [
        ...salesforceRoutes(() => state, config),
        {
          method: 'GET',
          path: '/services/oauth2/userinfo',
          handle: () => ({
            status: 200,
            body: {
              sub: `${url}/id/${EMULATOR_ORG_ID}/005000000000001AAA`,
              user_id: '005000000000001AAA',
              organization_id: EMULATOR_ORG_ID,
              preferred_username: 'integration@example.com',
            },
          }),
        },
      ],
      authenticate: (r) => {
        const token = /^Bearer (.+)$/.exec(r.headers.authorization ?? '')?.[1];
        const expires = token ? state.tokens.get(token) : undefined;
        return expires && expires > Date.now()
          ? undefined
          : { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
      },
      admit: (r) => (r.path.startsWith(REST) ? allocation.take() : undefined),
      responseHeaders: (r) => (r.path.startsWith(REST) ? { 'sforce-limit-info': allocation.header() } : undefined),
      // Only an opt-in fault (POST /__emulator/rate-limit): Salesforce's REST API has no per-second limit.
      rateLimitedBody: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
      notFound: () => ({
        status: 404,
        body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }],
      }),
      state: () => Object.fromEntries(state.store.objects().map((k) => [k, state.store.rows(k)])),
      reset: () => {
        state = seedSalesforceState(state.store, state.customFields, state.absentFields, state.countryPicklist);
        allocation.setUsed(0);
      },
      controls: {
        'expire-tokens': () => {
          expireTokens();
          return { status: 204 };
        },
        clock: (body) => {
          setClock((body as { at?: string } | undefined)?.at);
          return { status: 204 };
        },
        'row-lock': (body) => {
          failRowLock((body ?? {}) as RowLockOptions);
          return { status: 204 };
        },
        'api-usage': (body) => {
          const { used, limit } = (body ?? {}) as { used?: number; limit?: number };
          if (limit !== undefined) allocation.limit = limit;
          if (used !== undefined) allocation.setUsed(used);
          return { status: 200, body: { 'api-usage': allocation.header() } };
        },
        // POST {"sobject": "Account", "name": "Loyalty_Tier__c", "field": {"type": "string", "enum": [...]}}
        'custom-field': (body) => {
          const { sobject, name, field } = (body ?? {}) as { sobject?: string; name?: string; field?: JsonSchema };
          if (!sobject || !state.store.has(sobject) || !name?.endsWith('__c') || !field || typeof field !== 'object')
            return {
              status: 400,
              body: { message: 'POST {"sobject": "Account", "name": "X__c", "field": {"type": "string"}}' },
            };
          addCustomField(sobject, name, field);
          return { status: 204 };
        },
        post: (body) => {
          const { sobject, id } = (body ?? {}) as { sobject?: string; id?: string };
          if (!sobject || !id || !postingStatusField(sobject) || !state.store.get(sobject, id))
            return { status: 404, body: { message: 'POST {"sobject": "c2g__codaInvoice__c", "id": "<record id>"}' } };
          post(sobject, id);
          return { status: 204 };
        },
      },
    },
    options,
  );
  url = server.url;
  const pubsub = options.pubsub
    ? await startPubSubServer({
        state: () => state,
        instanceUrl: () => url,
        channels: options.channels,
        keepaliveMs: options.pubsubKeepaliveMs,
      })
    : undefined;
  // Changes the next gap events stand for, per object (pubsubGaps).
  const gapsOwed = new Map<string, number>();
  const asGap = (change: RecordChange): RecordChange => {
    const owed = gapsOwed.get(change.sobject) ?? 0;
    if (owed === 0 || !['CREATE', 'UPDATE', 'DELETE'].includes(change.type)) return change;
    gapsOwed.set(change.sobject, owed - 1);
    return { ...change, type: `GAP_${change.type}` as GapType, headerOnly: true, changed: [] };
  };
  if (pubsub) state.store.onChange((change) => pubsub.publish(asGap(change)));
  const stopHttp = server.stop;
  Object.defineProperty(server, 'state', { get: () => state, enumerable: true });
  return Object.assign(server, {
    store: state.store,
    allocation,
    records: (sobject: string) => state.store.rows(sobject),
    expireTokens,
    setClock,
    onChange: (listener: (change: RecordChange) => void) => void state.store.onChange(listener),
    failRowLock,
    addCustomField,
    post,
    pubsubUrl: pubsub?.url,
    pubsubSubscriptions: () => pubsub?.subscriptions() ?? { open: 0, peak: 0 },
    pubsubStall: () => pubsub?.stall(),
    pubsubHeaderOnly: (sobject: string, type: 'UPDATE' | 'GAP_OVERFLOW', recordIds: string[]) =>
      pubsub?.publish({
        sobject,
        type,
        id: recordIds[0],
        recordIds,
        headerOnly: true,
        record: {},
        changed: [],
        at: Date.now(),
      }),
    pubsubGaps: (sobject: string, count = 1) => void gapsOwed.set(sobject, (gapsOwed.get(sobject) ?? 0) + count),
    stop: async () => {
      await pubsub?.stop();
      await stopHttp();
    },
  }) as SalesforceEmulator;
}
