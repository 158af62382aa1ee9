/**
 * Polling Salesforce for changed records: SOQL by SystemModstamp (set when a user or an automated process such as a
 * trigger changes a record, so it never lags LastModifiedDate). The bound is inclusive and unquoted, as SOQL wants a
 * dateTime literal (`WHERE SystemModstamp >= 2026-01-01T00:00:00Z`), and every page is read through nextRecordsUrl.
 * A schedule source stores the greatest SystemModstamp and skips the records it already stored at that second.
 */
import { permanentError } from '../../engine/sdk/index.js';
import type { JsonSchema, OperationCall, OperationDef } from '../../engine/sdk/index.js';

type Row = Record<string, unknown>;

const FIELD = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

/** `since` as a SOQL dateTime literal in UTC (whole seconds: flooring keeps the bound inclusive). */
export function soqlDateTime(since: unknown): string {
  const text = String(since ?? '').replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(ms))
    throw permanentError('validation', `since must be an ISO dateTime such as 2026-01-01T00:00:00Z, not ${text}`, {
      field: 'since',
    });
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The SOQL of one poll: the record's fields plus Id and SystemModstamp, oldest change first. */
export function changesSoql(call: OperationCall): string {
  const params = call.params as { sobject: string; fields?: string[]; where?: string; since?: string };
  const fields = [...new Set(['Id', 'SystemModstamp', ...(params.fields ?? [])])];
  const bad = [params.sobject, ...fields].find((f) => !FIELD.test(String(f)));
  if (bad) throw permanentError('validation', `not a Salesforce API name: ${String(bad)}`, { field: 'fields' });
  const where = `SystemModstamp >= ${soqlDateTime(params.since)}${params.where ? ` AND (${params.where})` : ''}`;
  return `SELECT ${fields.join(', ')} FROM ${params.sobject} WHERE ${where} ORDER BY SystemModstamp ASC, Id ASC`;
}

const changesParams: JsonSchema = {
  type: 'object',
  required: ['sobject', 'since'],
  additionalProperties: false,
  properties: {
    sobject: { type: 'string', description: 'API name of the object, e.g. Account or c2g__codaInvoice__c.' },
    fields: {
      type: 'array',
      items: { type: 'string' },
      description: 'Fields to read besides Id and SystemModstamp; relationship fields too (`Account.Name`).',
    },
    where: { type: 'string', description: 'An extra SOQL condition, AND-ed with the SystemModstamp bound.' },
    since: {
      type: 'string',
      description: 'Read records changed at or after this dateTime; `$cursor` in a schedule source.',
      examples: ['$cursor'],
    },
  },
};

/** The change-polling operations of the Salesforce connector. */
export const salesforceChangeOperations: Record<string, OperationDef> = {
  'sobjects.changes': {
    description:
      'Records changed at or after `since` (SOQL on SystemModstamp, every page via nextRecordsUrl), oldest first.',
    vendorName: 'GET /query?q=SELECT … WHERE SystemModstamp >= {since} ORDER BY SystemModstamp',
    kind: 'query',
    object: { param: 'sobject' },
    params: changesParams,
    positionParams: ['sobject', 'where', 'since'],
    request: (c) => ({
      method: 'GET',
      path: `/services/data/${String(c.options.api_version ?? 'v60.0')}/query`,
      query: { q: changesSoql(c) },
    }),
    result: (r) => ((r.body ?? {}) as { records?: Row[] }).records ?? [],
    paginate: {
      next: (r) => {
        const next = (r.body as { nextRecordsUrl?: string } | undefined)?.nextRecordsUrl;
        return next ? { method: 'GET', path: next } : undefined;
      },
      combine: (pages) => (pages as Row[][]).flat(),
      orderedBy: 'SystemModstamp',
      // SystemModstamp is stamped when the record is written and the transaction (triggers, flows) commits later: a
      // source without `overlap` re-reads this much before its cursor (tap-salesforce's lookback default is 10 s).
      lateCommitMs: 10_000,
    },
  },
};
