/**
 * Infor M3 MI programs over REST: `GET /m3api-rest/v2/execute/{program}/{transaction}?FIELD=value…`. The company
 * and division come from the connection options: as the CONO/DIVI fields for transactions that take them, else the
 * company as the `cono` request option. The step result is the first result record (`$steps.head.ORNO`); list
 * transactions give `{records}`. M3 reports a failed transaction ("NOK") inside an HTTP 200: that becomes a
 * ConnectorError here, classified by its message id (errors.ts).
 */
import type { OperationDef } from '../../engine/sdk/index.js';
import { nokError } from './errors.js';
import type { M3Result } from './errors.js';
import { M3_TRANSACTIONS, m3InputSchema, m3OutputSchema } from './schemas/index.js';
import type { M3Transaction } from './schemas/index.js';

function operation(tx: M3Transaction): OperationDef {
  const [program, transaction] = tx.name.split('/');
  const takes = new Set(tx.inputs.map(([name]) => name));
  return {
    description: tx.description,
    vendorName: tx.name,
    kind: tx.kind,
    object: tx.object,
    identity: tx.identity,
    // The site's layout of this transaction, pulled from MRS001MI (`junction schema pull`), replaces the catalog's.
    overlayEntity: tx.name,
    ...(tx.kind === 'query'
      ? {
          // A poll's inputs are its body; how many records a call returns is not what it selects.
          positionParams: [],
          // M3 lists 100 records unless maxrecs=0 is sent (docs/connectors.md, Infor M3).
          recordLimit: { param: 'max_records', all: 0, byDefault: 100 },
          params: {
            type: 'object',
            additionalProperties: false,
            properties: {
              max_records: {
                type: 'integer',
                minimum: 0,
                description: 'maxrecs: records to return (0 = all); M3 returns 100 by default.',
              },
            },
          },
        }
      : {}),
    input: m3InputSchema(tx),
    output: m3OutputSchema(tx),
    request: (c) => {
      const query: Record<string, string> = {};
      const { company, division } = c.options;
      if (company !== undefined) query[takes.has('CONO') ? 'CONO' : 'cono'] = String(company);
      if (division !== undefined && takes.has('DIVI')) query.DIVI = String(division);
      for (const [field, value] of Object.entries((c.body ?? {}) as Record<string, unknown>))
        if (value !== undefined && value !== null) query[field] = String(value);
      if (c.params.max_records !== undefined) query.maxrecs = String(c.params.max_records);
      return { method: 'GET', path: `/m3api-rest/v2/execute/${program}/${transaction}`, query };
    },
    result: (response) => {
      const body = response.body as { results?: M3Result[]; nrOfFailedTransactions?: number };
      // No MI answer at all (a gateway's page, a cut body): not M3 refusing the call, which it may have run. A plain
      // error, so the stack reports an unreadable answer whose outcome is unknown (invalid-response).
      if (!Array.isArray(body?.results))
        throw new Error(`${tx.name}: the answer is no MI response (no results list), so whether M3 ran it is unknown`);
      const result = body.results[0];
      if (!result) throw nokError({ transaction: tx.name, errorMessage: 'M3 returned no result' });
      if (result.errorMessage || (body.nrOfFailedTransactions ?? 0) > 0)
        throw nokError({ ...result, transaction: tx.name });
      const records = result.records ?? [];
      return tx.kind === 'query' ? { records } : (records[0] ?? {});
    },
  };
}

/** One operation per MI transaction of the catalog, named `PROGRAM/Transaction`. */
export const m3Operations: Record<string, OperationDef> = Object.fromEntries(
  M3_TRANSACTIONS.map((tx) => [tx.name, operation(tx)]),
);
