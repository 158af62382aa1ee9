/** Salesforce REST routes: OAuth2 token, sObjects CRUD and upsert by external id, SOQL with pagination, composite. */
import { randomBytes } from 'node:crypto';
import type { EmulatorReply, EmulatorRequest, Route } from '../../../engine/sdk/index.js';
import { createRecord, lockedReply, sfError, updateRecord } from './records.js';
import { parseSoql, runSoql } from './soql.js';
import type { Row, SalesforceState } from './state.js';

export interface SalesforceEmulatorConfig {
  clientId: string;
  clientSecret: string;
  tokenTtlMs: number;
  queryBatchSize: number;
  url: () => string;
}

const DATA = '/services/data/:version';

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
    return { status: 200, body: { totalSize, done: !nextRecordsUrl, records: batch, ...(nextRecordsUrl ? { nextRecordsUrl } : {}) } };
  };
  const upsert = (r: EmulatorRequest, body: Row): EmulatorReply => {
    const rows = table(r.params.sobject);
    if (!rows) return sfError(404, 'NOT_FOUND', `sObject type '${r.params.sobject}' is not supported.`);
    const matches = [...rows.values()].filter((row) => String(row[r.params.field]) === r.params.value);
    if (matches.length > 1) return sfError(300, 'MULTIPLE_CHOICES', `more than one record found for external id field ${r.params.field}`);
    if (matches.length === 0) {
      const created = createRecord(state(), r.params.sobject, { ...body, [r.params.field]: r.params.value });
      return created;
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
        if (form.grant_type !== 'client_credentials') return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'grant type not supported' } };
        if (form.client_id !== config.clientId || form.client_secret !== config.clientSecret) return { status: 400, body: { error: 'invalid_client', error_description: 'invalid client credentials' } };
        const token = `00D${randomBytes(12).toString('hex')}`;
        state().tokens.set(token, Date.now() + config.tokenTtlMs);
        return { status: 200, body: { access_token: token, instance_url: config.url(), id: `${config.url()}/id/00D000000000001/005000000000001`, token_type: 'Bearer', issued_at: String(Date.now()), signature: randomBytes(16).toString('base64') } };
      },
    },
    { method: 'POST', path: `${DATA}/sobjects/:sobject`, handle: (r) => (table(r.params.sobject) ? createRecord(state(), r.params.sobject, (r.body ?? {}) as Row) : sfError(404, 'NOT_FOUND', `sObject type '${r.params.sobject}' is not supported.`)) },
    {
      method: 'PATCH',
      path: `${DATA}/sobjects/:sobject/:id`,
      handle: (r) => {
        const existing = table(r.params.sobject)?.get(r.params.id);
        if (!existing) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
        return updateRecord(state(), r.params.sobject, existing, (r.body ?? {}) as Row) ?? { status: 204 };
      },
    },
    { method: 'PATCH', path: `${DATA}/sobjects/:sobject/:field/:value`, handle: (r) => upsert(r, (r.body ?? {}) as Row) },
    { method: 'GET', path: `${DATA}/sobjects/:sobject/:id`, handle: (r) => {
      const row = table(r.params.sobject)?.get(r.params.id);
      return row ? { status: 200, body: { attributes: { type: r.params.sobject }, ...row } } : sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    } },
    { method: 'DELETE', path: `${DATA}/sobjects/:sobject/:id`, handle: (r) => remove(r.params.sobject, table(r.params.sobject)?.get(r.params.id)) },
    { method: 'DELETE', path: `${DATA}/sobjects/:sobject/:field/:value`, handle: (r) => remove(r.params.sobject, [...(table(r.params.sobject)?.values() ?? [])].find((row) => String(row[r.params.field]) === r.params.value)) },
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
    { method: 'POST', path: `${DATA}/composite`, handle: (r) => composite(r, routes) },
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

/** Runs subrequests in order, substituting `@{referenceId.field}`; allOrNone stops at the first failure. */
function composite(r: EmulatorRequest, routes: Route[]): EmulatorReply {
  const body = (r.body ?? {}) as { allOrNone?: boolean; compositeRequest?: { method: string; url: string; referenceId: string; body?: unknown }[] };
  const results: Record<string, unknown> = {};
  const out: unknown[] = [];
  for (const sub of body.compositeRequest ?? []) {
    const url = sub.url.replace(/@\{(\w+)\.(\w+)\}/g, (_, ref: string, field: string) => String((results[ref] as Row | undefined)?.[field] ?? ''));
    const text = JSON.stringify(sub.body ?? null).replace(/@\{(\w+)\.(\w+)\}/g, (_, ref: string, field: string) => String((results[ref] as Row | undefined)?.[field] ?? ''));
    const path = new URL(url, 'http://x').pathname;
    const route = routes.find((rt) => rt.method === sub.method && new RegExp('^' + rt.path.replace(/:([A-Za-z_]+)/g, '(?<$1>[^/]+)') + '$').test(path));
    const match = route && new RegExp('^' + route.path.replace(/:([A-Za-z_]+)/g, '(?<$1>[^/]+)') + '$').exec(path);
    const reply = route && match ? route.handle({ ...r, method: sub.method, path, body: JSON.parse(text), params: { ...match.groups } }) : sfError(404, 'NOT_FOUND', `no resource ${sub.url}`);
    results[sub.referenceId] = reply.body;
    out.push({ body: reply.body ?? null, httpHeaders: {}, httpStatusCode: reply.status, referenceId: sub.referenceId });
    if (body.allOrNone && reply.status >= 400) break;
  }
  return { status: 200, body: { compositeResponse: out } };
}
