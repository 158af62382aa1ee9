/** Salesforce REST routes: OAuth2 token, sObjects CRUD and upsert by external id, SOQL with pagination, composite. */
import { randomBytes } from 'node:crypto';
import type { EmulatorReply, EmulatorRequest, Route } from '../../../engine/sdk/index.js';
import type { ApiAllocation } from './api-allocation.js';
import { SOBJECT_SCHEMAS } from '../schemas/index.js';
import { objectSchema } from './field-rules.js';
import { createRecord, deleteRecord, sfError, updateRecord } from './records.js';
import { runComposite } from './composite.js';
import { describeReply } from './describe.js';
import { parseSoql, runSoql } from './soql.js';
import type { Row, SalesforceState } from './state.js';

/** What the routes need from the emulator's options. */
export interface SalesforceEmulatorConfig {
  clientId: string;
  clientSecret: string;
  tokenTtlMs: number;
  queryBatchSize: number;
  url: () => string;
  /** The org's API allocation, which `/limits` reports as DailyApiRequests. */
  allocation: ApiAllocation;
}

const DATA = '/services/data/:version';
const unsupported = (sobject: string) =>
  sfError(404, 'NOT_FOUND', `The requested resource does not exist: sObject type '${sobject}' is not supported.`);

/** Every route over the current org state. */
export function salesforceRoutes(state: () => SalesforceState, config: SalesforceEmulatorConfig): Route[] {
  const pages = new Map<string, Row[]>();
  const store = () => state().store;
  const page = (records: Row[], totalSize: number): EmulatorReply => {
    const batch = records.slice(0, config.queryBatchSize);
    const rest = records.slice(config.queryBatchSize);
    let nextRecordsUrl: string | undefined;
    if (rest.length) {
      const locator = `01g${randomBytes(6).toString('hex')}`;
      pages.set(locator, rest);
      nextRecordsUrl = `/services/data/v60.0/query/${locator}-${config.queryBatchSize}`;
    }
    return {
      status: 200,
      body: { totalSize, done: !nextRecordsUrl, records: batch, ...(nextRecordsUrl ? { nextRecordsUrl } : {}) },
    };
  };
  /**
   * Upsert matches only on an external id or idLookup field (404 NOT_FOUND otherwise), case-insensitively unless the
   * field is case-sensitive; two matches answer 300 and change nothing.
   */
  const upsert = (r: EmulatorRequest, body: Row): EmulatorReply => {
    const { sobject, field, value } = r.params;
    if (!store().has(sobject)) return unsupported(sobject);
    if (!upsertable(sobject, field)) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    // "Do not specify Id or an external ID field in the request body or an error is generated." (the text is not
    // published, hence [emulator])
    for (const named of [field, 'Id'])
      if (named in body)
        return sfError(
          400,
          'INVALID_FIELD',
          `[emulator] ${named} ${named === field ? "is the upsert's external id: it goes in the URL" : 'is the record id'}, not the body`,
          [named],
        );
    const matches = byExternalId(sobject, field, value);
    if (matches.length > 1) return multipleMatches(r, matches);
    if (matches.length === 0) {
      if (r.query.updateOnly === 'true') return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      const created = createRecord(state(), sobject, { ...body, [field]: value });
      // Upsert answers 201 with `created: true` (a plain create does not say `created`).
      return created.status === 201 ? { status: 201, body: { ...(created.body as Row), created: true } } : created;
    }
    const failed = updateRecord(state(), sobject, matches[0], body);
    return failed ?? { status: 200, body: { id: matches[0].Id, success: true, errors: [], created: false } };
  };
  /**
   * The records whose external id (or idLookup) field has this value, as every sObject Rows by External ID call
   * matches: case-insensitively unless the field is case-sensitive.
   */
  const byExternalId = (sobject: string, field: string, value: string): Row[] => {
    if (field === 'Id') return [store().get(sobject, value)].filter((x): x is Row => !!x);
    const caseSensitive = objectSchema(sobject, state()).properties[field]['x-case-sensitive'] === true;
    const same = (stored: unknown) =>
      caseSensitive ? String(stored) === value : String(stored).toLowerCase() === value.toLowerCase();
    return store()
      .rows(sobject)
      .filter((row) => same(row[field]));
  };
  /** 300: the external id matches several records; the answer lists them and nothing is done. */
  const multipleMatches = (r: EmulatorRequest, rows: Row[]): EmulatorReply => ({
    status: 300,
    body: rows.map((row) => `/services/data/${r.params.version}/sobjects/${r.params.sobject}/${String(row.Id)}`),
  });
  /** External id and idLookup fields, the org's custom ones included. */
  const upsertable = (sobject: string, field: string) => {
    const def = objectSchema(sobject, state()).properties[field];
    return def?.['x-external-id'] === true || def?.['x-id-lookup'] === true;
  };
  const routes: Route[] = [
    {
      method: 'POST',
      path: '/services/oauth2/token',
      public: true,
      handle: (r) => {
        const form = (r.body ?? {}) as Record<string, string>;
        if (form.grant_type !== 'client_credentials')
          return {
            status: 400,
            body: { error: 'unsupported_grant_type', error_description: 'grant type not supported' },
          };
        if (form.client_id !== config.clientId || form.client_secret !== config.clientSecret)
          return { status: 400, body: { error: 'invalid_client', error_description: 'invalid client credentials' } };
        const token = `00D${randomBytes(12).toString('hex')}`;
        state().tokens.set(token, Date.now() + config.tokenTtlMs);
        return {
          status: 200,
          body: {
            access_token: token,
            instance_url: config.url(),
            id: `${config.url()}/id/00D000000000001/005000000000001`,
            token_type: 'Bearer',
            issued_at: String(Date.now()),
            signature: randomBytes(16).toString('base64'),
          },
        };
      },
    },
    {
      method: 'POST',
      path: `${DATA}/sobjects/:sobject`,
      handle: (r) =>
        store().has(r.params.sobject)
          ? createRecord(state(), r.params.sobject, (r.body ?? {}) as Row)
          : unsupported(r.params.sobject),
    },
    {
      method: 'PATCH',
      path: `${DATA}/sobjects/:sobject/:id`,
      handle: (r) => {
        const existing = store().get(r.params.sobject, r.params.id);
        if (!existing) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
        return updateRecord(state(), r.params.sobject, existing, (r.body ?? {}) as Row) ?? { status: 204 };
      },
    },
    {
      method: 'PATCH',
      path: `${DATA}/sobjects/:sobject/:field/:value`,
      handle: (r) => upsert(r, (r.body ?? {}) as Row),
    },
    {
      method: 'GET',
      path: `${DATA}/sobjects/:sobject/describe`,
      handle: (r) => describeReply(state(), r.params.sobject, r.params.version),
    },
    {
      method: 'GET',
      path: `${DATA}/sobjects/:sobject/:id`,
      handle: (r) => {
        const row = store().get(r.params.sobject, r.params.id);
        return row
          ? {
              status: 200,
              body: {
                attributes: {
                  type: r.params.sobject,
                  url: `/services/data/${r.params.version}/sobjects/${r.params.sobject}/${String(row.Id)}`,
                },
                ...row,
              },
            }
          : sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      },
    },
    // SObject Rows by External ID: the record whose external id field has this value; several match: 300.
    {
      method: 'GET',
      path: `${DATA}/sobjects/:sobject/:field/:value`,
      handle: (r) => {
        if (!store().has(r.params.sobject)) return unsupported(r.params.sobject);
        const rows = upsertable(r.params.sobject, r.params.field)
          ? byExternalId(r.params.sobject, r.params.field, r.params.value)
          : [];
        if (rows.length > 1) return multipleMatches(r, rows);
        const [row] = rows;
        return row
          ? {
              status: 200,
              body: {
                attributes: {
                  type: r.params.sobject,
                  url: `/services/data/${r.params.version}/sobjects/${r.params.sobject}/${String(row.Id)}`,
                },
                ...row,
              },
            }
          : sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      },
    },
    {
      method: 'DELETE',
      path: `${DATA}/sobjects/:sobject/:id`,
      handle: (r) => remove(r.params.sobject, store().get(r.params.sobject, r.params.id)),
    },
    {
      method: 'DELETE',
      path: `${DATA}/sobjects/:sobject/:field/:value`,
      handle: (r) => {
        if (!store().has(r.params.sobject)) return unsupported(r.params.sobject);
        const rows = upsertable(r.params.sobject, r.params.field)
          ? byExternalId(r.params.sobject, r.params.field, r.params.value)
          : [];
        return rows.length > 1 ? multipleMatches(r, rows) : remove(r.params.sobject, rows[0]);
      },
    },
    // The org's limits, `{ <limit>: { Max, Remaining } }` (the check of `junction check`).
    {
      method: 'GET',
      path: `${DATA}/limits`,
      handle: () => ({
        status: 200,
        body: {
          DailyApiRequests: {
            Max: config.allocation.limit,
            Remaining: Math.max(0, config.allocation.limit - config.allocation.used()),
          },
          DataStorageMB: { Max: 1024, Remaining: 1024 },
        },
      }),
    },
    {
      method: 'GET',
      path: `${DATA}/query`,
      handle: (r) => {
        const query = parseSoql(r.query.q ?? '');
        if (typeof query === 'string') return sfError(400, 'MALFORMED_QUERY', query);
        if (!store().has(query.sobject))
          return sfError(400, 'INVALID_TYPE', `sObject type '${query.sobject}' is not supported.`);
        const records = runSoql(query, {
          store: store(),
          fields: (o) => (o in SOBJECT_SCHEMAS ? objectSchema(o, state()).properties : {}),
        });
        if (typeof records === 'string') return sfError(400, records.split(':')[0], records.replace(/^\w+: /, ''));
        return page(records, records.length);
      },
    },
    {
      method: 'GET',
      path: `${DATA}/query/:locator`,
      handle: (r) => {
        const key = r.params.locator.replace(/-\d+$/, '');
        const rest = pages.get(key);
        if (!rest) return sfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
        pages.delete(key);
        return page(rest, rest.length);
      },
    },
    { method: 'POST', path: `${DATA}/composite`, handle: (r) => runComposite(r, routes, state()) },
  ];
  function remove(sobject: string, row: Row | undefined): EmulatorReply {
    return row
      ? deleteRecord(state(), sobject, row)
      : sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
  }
  return routes;
}
