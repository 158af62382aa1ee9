/**
 * Polling Magento for changed entities with searchCriteria on `updated_at` (a UTC `Y-m-d H:i:s` timestamp with
 * second precision). Pages are read by key, not by `currentPage`: each page asks for what sorts after the last
 * entity seen, `updated_at >= t AND (updated_at > t OR id > last)` (filters in one group are OR-ed, groups AND-ed),
 * so an entity updated while the poll pages never shifts another one out of sight, and Magento's past-the-end
 * behaviour (2.3 repeats the last page, 2.4 answers no items) never comes into play. `pageSize` stays within the
 * 300 that Magento's input limiting allows. The id is filtered and sorted by its column: a customer's REST `id` is
 * `entity_id` in the customer search, which refuses `id` as an invalid attribute name.
 */
import type { JsonSchema, OperationCall, OperationDef, OutboundRequest } from '../../engine/sdk/index.js';
import { creditmemoSchema, customerSchema, invoiceRecordSchema, orderSchema } from './schemas/index.js';

type Row = Record<string, unknown>;

/**
 * `updated_at` is MySQL's CURRENT_TIMESTAMP (`on_update`): the time the statement began, not the commit. An order's
 * row is written early in the order placement's transaction and committed when it ends, so a poll may have read a
 * later stamp first; a schedule source without `overlap` re-reads this much before its cursor.
 */
const LATE_COMMIT_MS = 10_000;

/** The largest page Magento accepts when input limiting is on (`webapi/validation/maximum_page_size` default). */
export const MAX_PAGE_SIZE = 300;

interface Keyset {
  since: string;
  after?: { updatedAt: string; id: unknown };
}

/** Where an entity's id is: its field in the answer, and the column searchCriteria filters and sorts it by. */
interface IdKey {
  field: string;
  column: string;
}

function changesRequest(path: string, idColumn: string, pageSize: number, keyset: Keyset): OutboundRequest {
  const f = (group: number, filter: number, field: string, value: unknown, condition: string) => ({
    [`searchCriteria[filter_groups][${group}][filters][${filter}][field]`]: field,
    [`searchCriteria[filter_groups][${group}][filters][${filter}][value]`]: String(value),
    [`searchCriteria[filter_groups][${group}][filters][${filter}][condition_type]`]: condition,
  });
  const { after } = keyset;
  return {
    method: 'GET',
    path,
    query: {
      ...f(0, 0, 'updated_at', after?.updatedAt ?? keyset.since, 'gteq'),
      ...(after ? { ...f(1, 0, 'updated_at', after.updatedAt, 'gt'), ...f(1, 1, idColumn, after.id, 'gt') } : {}),
      'searchCriteria[sortOrders][0][field]': 'updated_at',
      'searchCriteria[sortOrders][0][direction]': 'ASC',
      'searchCriteria[sortOrders][1][field]': idColumn,
      'searchCriteria[sortOrders][1][direction]': 'ASC',
      'searchCriteria[pageSize]': pageSize,
      'searchCriteria[currentPage]': 1,
    },
  };
}

const params: JsonSchema = {
  type: 'object',
  required: ['since'],
  additionalProperties: false,
  properties: {
    since: {
      type: 'string',
      description:
        'Read entities updated at or after this time (YYYY-MM-DD HH:MM:SS, UTC); `$cursor` in a schedule source.',
      examples: ['$cursor'],
    },
    page_size: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_PAGE_SIZE,
      default: 100,
      description: 'Entities per request.',
    },
  },
};

function changes(entity: string, path: string, id: IdKey, schema: JsonSchema): OperationDef {
  const url = (c: OperationCall) => `/rest/${String(c.options.store_code ?? 'default')}/V1/${path}`;
  const pageSize = (c: OperationCall) => Number(c.params.page_size ?? 100);
  return {
    description: `${entity}s updated at or after \`since\`, oldest first, every page (searchCriteria on updated_at).`,
    vendorName: `GET /V1/${path}?searchCriteria (updated_at gteq, sorted by updated_at, ${id.column})`,
    kind: 'query',
    object: entity,
    params,
    positionParams: ['since'],
    output: { type: 'array', items: schema },
    request: (c) => changesRequest(url(c), id.column, pageSize(c), { since: String(c.params.since ?? '') }),
    result: (r) => ((r.body ?? {}) as { items?: Row[] }).items ?? [],
    paginate: {
      next: (r, c) => {
        const items = ((r.body ?? {}) as { items?: Row[] }).items ?? [];
        if (items.length < pageSize(c)) return undefined;
        const last = items[items.length - 1];
        const after = { updatedAt: String(last.updated_at), id: last[id.field] };
        return changesRequest(url(c), id.column, pageSize(c), { since: after.updatedAt, after });
      },
      combine: (pages) => (pages as Row[][]).flat(),
      orderedBy: 'updated_at',
      lateCommitMs: LATE_COMMIT_MS,
    },
  };
}

/** The sales documents' id: `entity_id` in the answer and in the table. */
const ENTITY_ID: IdKey = { field: 'entity_id', column: 'entity_id' };

/** The change-polling operations of the Magento connector. */
export const magentoChangeOperations: Record<string, OperationDef> = {
  'orders.changes': changes('order', 'orders', ENTITY_ID, orderSchema),
  'customers.changes': changes('customer', 'customers/search', { field: 'id', column: 'entity_id' }, customerSchema),
  'creditmemos.changes': changes('creditmemo', 'creditmemos', ENTITY_ID, creditmemoSchema),
  'invoices.changes': changes('invoice', 'invoices', ENTITY_ID, invoiceRecordSchema),
};
