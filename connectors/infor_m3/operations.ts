/**
 * Infor M3 MI programs over REST: `GET /m3api-rest/v2/execute/{program}/{transaction}?FIELD=value…`, with the
 * company (CONO) and division (DIVI) from the connection options. The step result is the first result record
 * (so `$steps.head.ORNO` reads AddHead's order number); list transactions give all records.
 */
import type { JsonSchema, OperationDef } from '../../engine/sdk/index.js';
import { nokError } from './errors.js';
import type { M3Result } from './errors.js';
import { M3_TRANSACTIONS } from './transactions.js';
import type { M3Transaction } from './transactions.js';

function inputSchema(tx: M3Transaction): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    required: tx.required,
    properties: Object.fromEntries(Object.entries(tx.fields).map(([field, description]) => [field, { type: ['string', 'number'], description }])),
  };
}

function operation(tx: M3Transaction): OperationDef {
  const [program, transaction] = tx.name.split('/');
  return {
    description: tx.description,
    vendorName: tx.name,
    kind: tx.kind,
    object: tx.object,
    identity: tx.identity,
    input: inputSchema(tx),
    output: { type: 'object', properties: Object.fromEntries((tx.returns ?? []).map((f) => [f, { type: 'string' }])) },
    request: (c) => {
      const query: Record<string, string> = {};
      if (c.options.company !== undefined) query.CONO = String(c.options.company);
      if (c.options.division !== undefined && (tx.fields.DIVI || tx.object.startsWith('gl_'))) query.DIVI = String(c.options.division);
      for (const [field, value] of Object.entries((c.body ?? {}) as Record<string, unknown>)) if (value !== undefined && value !== null) query[field] = String(value);
      return { method: 'GET', path: `/m3api-rest/v2/execute/${program}/${transaction}`, query };
    },
    result: (response) => {
      const body = response.body as { results?: M3Result[]; nrOfFailedTransactions?: number };
      const result = body?.results?.[0];
      if (!result) throw nokError({ transaction: tx.name, errorMessage: 'M3 returned no result' });
      if (result.errorMessage || (body.nrOfFailedTransactions ?? 0) > 0) throw nokError({ ...result, transaction: tx.name });
      const records = result.records ?? [];
      return tx.kind === 'query' ? { records } : (records[0] ?? {});
    },
  };
}

export const m3Operations: Record<string, OperationDef> = Object.fromEntries(M3_TRANSACTIONS.map((tx) => [tx.name, operation(tx)]));
