/** Salesforce REST routes: OAuth2 token, sObjects CRUD and upsert by external id, SOQL with pagination, composite. */
import { randomBytes } from 'node:crypto';
import type { EmulatorReply, EmulatorRequest, Route } from '../../../engine/sdk/index.js';
import { SOBJECT_SCHEMAS } from '../schemas/index.js';
import { createRecord, lockedReply, sfError, updateRecord } from './records.js';
import { runComposite } from './composite.js';
import { parseSoql, runSoql } from './soql.js';
import type { Row, SalesforceState } from './state.js';

/** What the routes need from the emulator's options. */
export interface SalesforceEmulatorConfig {
  clientId: string;
  clientSecret: string;
  tokenTtlMs: number;
  queryBatchSize: number;
  url: () => string;
}

const DATA = '/services/data/:version';

/** Every route over the current org state. */
export function salesforceRoutes(state: () => SalesforceState, config: SalesforceEmulatorConfig): Route[] {
  const pages = new Map<string, Row[]>();
  const table = (sobject: string) => state().records.get(sobject);
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
  const upsert = (r: EmulatorRequest, body: Row): EmulatorReply => {
    const rows = table(r.params.sobject);
    if (!rows) return sfError(404, 'NOT_FOUND', `sObject type '${r.params.sobject}' is not supported.`);
    const schema = SOBJECT_SCHEMAS[r.params.sobject] as { properties: Record<string, unknown> };
    if (r.params.field !== 'Id' && !schema.properties[r.params.field])
      return sfError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${r.params.field}`,
      );
    const matches = [...rows.values()].filter((row) => String(row[r.params.field]) === r.params.value);
    if (matches.length > 1)
      return sfError(300, 'MULTIPLE_CHOICES', `more than one record found for external id field ${r.params.field}`);
    if (matches.length === 0) {
      const created = createRecord(state(), r.params.sobject, { ...body, [r.params.field]: r.params.value });
      // Upsert answers 201 with `created: true` (a plain create does not say `created`).
      return created.status === 201 ? { status: 201, body: { ...(created.body as Row), created: true } } : created;
    }
    const failed = updateRecord(state(), r.params.sobject, matches[0], body);
    return failed ?? { status: 200, body: { id: matches[0].Id, success: true, errors: [], created: false } };
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
        table(r.params.sobject)
          ? createRecord(state(), r.params.sobject, (r.body ?? {}) as Row)
          : sfError(404, 'NOT_FOUND', `sObject type '${r.params.sobject}' is not supported.`),
    },
    {
      method: 'PATCH',
      path: `${DATA}/sobjects/:sobject/:id`,
      handle: (r) => {
        const existing = table(r.params.sobject)?.get(r.params.id);
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
      path: `${DATA}/sobjects/:sobject/:id`,
      handle: (r) => {
        const row = table(r.params.sobject)?.get(r.params.id);
        return row
          ? {
              status: 200,
              body: {
                attributes: {
                  type: r.params.sobject,
                  url: `/services/data/${r.params.version}/sobjects/${r.params.sobject}/${r.params.id}`,
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
      handle: (r) => remove(r.params.sobject, table(r.params.sobject)?.get(r.params.id)),
    },
    {
      method: 'DELETE',
      path: `${DATA}/sobjects/:sobject/:field/:value`,
      handle: (r) =>
        remove(
          r.params.sobject,
          [...(table(r.params.sobject)?.values() ?? [])].find((row) => String(row[r.params.field]) === r.params.value),
        ),
    },
    {
      method: 'GET',
      path: `${DATA}/query`,
      handle: (r) => {
        const query = parseSoql(r.query.q ?? '');
        if (typeof query === 'string') return sfError(400, 'MALFORMED_QUERY', query);
        const rows = table(query.sobject);
        if (!rows) return sfError(400, 'INVALID_TYPE', `sObject type '${query.sobject}' is not supported.`);
        const records = runSoql(query, rows.values());
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
    if (!row) return sfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
    const locked = lockedReply(state(), sobject, row, {});
    if (locked) return locked;
    table(sobject)!.delete(String(row.Id));
    return { status: 204 };
  }
  return routes;
}
