/**
 * Salesforce REST operations (sObjects, SOQL query with pagination, composite). FinancialForce runs on the same
 * platform: its `c2g__` objects are sObjects. The record type is the step's `sobject` param.
 */
import { permanentError } from '../../engine/sdk/index.js';
import type { InboundResponse, JsonSchema, OperationCall, OperationDef } from '../../engine/sdk/index.js';
import { salesforceChangeOperations } from './change-operations.js';
import { classifySalesforceError } from './errors.js';
import { salesforceIdentityOperations } from './identity-operations.js';
import { sobjectSchema } from './schemas/index.js';
import { describeOperation } from './schema-pull.js';

type Row = Record<string, unknown>;
const base = (c: OperationCall) => `/services/data/${String(c.options.api_version ?? 'v60.0')}`;
const row = (c: OperationCall): Row => (c.body ?? {}) as Row;
const sobject = (c: OperationCall) => encodeURIComponent(String(c.params.sobject));
const required = (value: unknown, field: string) => {
  if (value === undefined || value === null || value === '')
    throw permanentError('validation', `the record has no ${field}; the step body must set it`, { field });
  return encodeURIComponent(String(value));
};
const without = (r: Row, key: string) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== key));
const sobjectParam: JsonSchema = {
  type: 'object',
  required: ['sobject'],
  additionalProperties: false,
  properties: {
    sobject: { type: 'string', description: 'API name of the object, e.g. Account or c2g__codaInvoice__c.' },
  },
};
const upsertParams: JsonSchema = {
  type: 'object',
  required: ['sobject', 'external_id_field'],
  additionalProperties: false,
  properties: {
    sobject: { type: 'string', description: 'API name of the object.' },
    external_id_field: { type: 'string', description: 'External id field to upsert by.' },
  },
};
const saveResult: JsonSchema = {
  type: 'object',
  properties: { id: { type: 'string' }, success: { type: 'boolean' }, created: { type: 'boolean' } },
};

const saved = (r: InboundResponse, fallbackId?: string) => {
  const body = (r.body ?? {}) as Row;
  return { id: (body.id as string | undefined) ?? fallbackId, success: true, created: r.status === 201 };
};

/**
 * Composite answers 200 even when subrequests fail: the first failure becomes the step's error. Without allOrNone the
 * subrequests that succeeded stay applied, so the call is not sent again (a retry would repeat them): the error is
 * permanent and names them.
 */
function compositeResult(r: InboundResponse, c: OperationCall) {
  const responses =
    ((r.body ?? {}) as { compositeResponse?: { body: unknown; httpStatusCode: number; referenceId: string }[] })
      .compositeResponse ?? [];
  const failed =
    responses.find((s) => s.httpStatusCode >= 400 && !isHalted(s.body)) ??
    responses.find((s) => s.httpStatusCode >= 400);
  if (failed) {
    const error = classifySalesforceError({ status: failed.httpStatusCode, headers: {}, body: failed.body });
    const message = `composite subrequest ${failed.referenceId}: ${error.message}`;
    const applied = row(c).allOrNone === true ? [] : responses.filter((s) => s.httpStatusCode < 400);
    if (!applied.length) throw Object.assign(error, { message });
    throw permanentError(
      error.code,
      `${message} (not retried: without allOrNone the subrequests ${applied.map((s) => s.referenceId).join(', ')} were applied, and sending the call again would repeat them; set allOrNone: true to retry it whole)`,
      { status: error.status, vendorCode: error.vendorCode, field: error.field },
    );
  }
  return { compositeResponse: responses, results: Object.fromEntries(responses.map((s) => [s.referenceId, s.body])) };
}

/** A record read back: its fields (without `attributes`), and the save result a write of it would have given. */
function readRecord(r: InboundResponse) {
  const { attributes: _attributes, ...record } = (r.body ?? {}) as Row;
  return { record, result: { id: record.Id, success: true, created: false } };
}

const isHalted = (body: unknown) =>
  Array.isArray(body) && (body[0] as { errorCode?: string } | undefined)?.errorCode === 'PROCESSING_HALTED';

/** The Salesforce operations by name. */
export const salesforceOperations: Record<string, OperationDef> = {
  'sobjects.create': {
    description: 'Create a record.',
    vendorName: 'POST /sobjects/{sobject}',
    kind: 'create',
    object: { param: 'sobject' },
    params: sobjectParam,
    inputFor: (p) => sobjectSchema(p.sobject),
    output: saveResult,
    request: (c) => ({ method: 'POST', path: `${base(c)}/sobjects/${sobject(c)}`, body: without(row(c), 'Id') }),
    result: (r) => saved(r),
  },
  'sobjects.update': {
    description: 'Update a record by Id (the Id is taken from the record, not sent in the body).',
    vendorName: 'PATCH /sobjects/{sobject}/{id}',
    kind: 'update',
    object: { param: 'sobject' },
    identity: ['Id'],
    params: sobjectParam,
    inputFor: (p) => sobjectSchema(p.sobject),
    output: saveResult,
    request: (c) => ({
      method: 'PATCH',
      path: `${base(c)}/sobjects/${sobject(c)}/${required(row(c).Id, 'Id')}`,
      body: without(row(c), 'Id'),
    }),
    result: (r, c) => saved(r, String(row(c).Id)),
    readBack: {
      request: (c) => ({ method: 'GET', path: `${base(c)}/sobjects/${sobject(c)}/${required(row(c).Id, 'Id')}` }),
      result: (r) => readRecord(r),
    },
  },
  'sobjects.upsert': {
    description:
      'Create or update a record by an external id field: idempotent, so a redelivery never creates a second record.',
    vendorName: 'PATCH /sobjects/{sobject}/{external_id_field}/{value}',
    kind: 'upsert',
    object: { param: 'sobject' },
    identity: { param: 'external_id_field' },
    params: upsertParams,
    inputFor: (p) => sobjectSchema(p.sobject),
    output: saveResult,
    request: (c) => {
      const field = String(c.params.external_id_field);
      return {
        method: 'PATCH',
        path: `${base(c)}/sobjects/${sobject(c)}/${encodeURIComponent(field)}/${required(row(c)[field], field)}`,
        body: without(row(c), field),
      };
    },
    result: (r) => saved(r),
    // GET by external id (the "SObject Rows by External ID" resource): the record as it is now.
    readBack: {
      request: (c) => {
        const field = String(c.params.external_id_field);
        return {
          method: 'GET',
          path: `${base(c)}/sobjects/${sobject(c)}/${encodeURIComponent(field)}/${required(row(c)[field], field)}`,
        };
      },
      result: (r) => readRecord(r),
    },
  },
  'sobjects.delete': {
    description: 'Delete a record by Id, or by an external id field when `external_id_field` is given.',
    vendorName: 'DELETE /sobjects/{sobject}/{id}',
    kind: 'delete',
    object: { param: 'sobject' },
    params: {
      type: 'object',
      required: ['sobject'],
      additionalProperties: false,
      properties: { sobject: { type: 'string' }, external_id_field: { type: 'string' } },
    },
    request: (c) => {
      const field = c.params.external_id_field as string | undefined;
      const path = field ? `${encodeURIComponent(field)}/${required(row(c)[field], field)}` : required(row(c).Id, 'Id');
      return { method: 'DELETE', path: `${base(c)}/sobjects/${sobject(c)}/${path}` };
    },
    result: () => ({ deleted: true }),
  },
  'sobjects.get': {
    description: 'Read a record by Id.',
    vendorName: 'GET /sobjects/{sobject}/{id}',
    kind: 'read',
    object: { param: 'sobject' },
    identity: ['Id'],
    params: sobjectParam,
    request: (c) => ({ method: 'GET', path: `${base(c)}/sobjects/${sobject(c)}/${required(row(c).Id, 'Id')}` }),
  },
  query: {
    description:
      'Run a SOQL query (`{"q": "SELECT …"}`, or the `q` param); every page is fetched through nextRecordsUrl and combined.',
    vendorName: 'GET /query?q={soql}',
    kind: 'query',
    object: 'query',
    params: {
      type: 'object',
      additionalProperties: false,
      properties: {
        q: { type: 'string', description: 'The SOQL, when the record does not give it (schedule sources).' },
      },
    },
    input: { type: 'object', required: ['q'], properties: { q: { type: 'string' } } },
    output: {
      type: 'object',
      properties: { totalSize: { type: 'integer' }, done: { type: 'boolean' }, records: { type: 'array' } },
    },
    request: (c) => {
      const q = row(c).q ?? c.params.q;
      if (typeof q !== 'string' || q.trim() === '')
        throw permanentError('validation', 'the query has no SOQL: set `q` in the record or the params', {
          field: 'q',
        });
      return { method: 'GET', path: `${base(c)}/query`, query: { q } };
    },
    paginate: {
      next: (r) => {
        const next = (r.body as { nextRecordsUrl?: string } | undefined)?.nextRecordsUrl;
        return next ? { method: 'GET', path: next } : undefined;
      },
      combine: (pages) => {
        const all = pages as { totalSize: number; records: unknown[] }[];
        return { totalSize: all[0].totalSize, done: true, records: all.flatMap((p) => p.records) };
      },
    },
  },
  composite: {
    description:
      'Several requests in one call (`{"allOrNone": true, "compositeRequest": [...]}`), referencing each other by referenceId.',
    vendorName: 'POST /composite',
    kind: 'action',
    object: 'composite',
    input: {
      type: 'object',
      required: ['compositeRequest'],
      properties: { allOrNone: { type: 'boolean' }, compositeRequest: { type: 'array' } },
    },
    output: {
      type: 'object',
      properties: {
        compositeResponse: { type: 'array' },
        results: { type: 'object', description: 'Each subrequest body by referenceId' },
      },
    },
    request: (c) => ({ method: 'POST', path: `${base(c)}/composite`, body: row(c) }),
    result: (r, c) => compositeResult(r, c),
  },
  ...salesforceChangeOperations,
  ...salesforceIdentityOperations,
  'sobjects.describe': describeOperation,
};
