/**
 * The M3 REST v2 endpoints: one transaction per call (`GET|POST /execute/{program}/{transaction}`, fields in the
 * query or a JSON/form body, matrix parameters like `;maxrecs=0` allowed) and the bulk call (`POST /execute` with
 * `{"program", "transactions": [{"transaction", "record"}]}`), which stops at the first NOK unless told otherwise.
 * An unknown program or transaction, or a field M3 refuses before running the program, is HTTP 400 with the error
 * at the top level (m3-odin: "v2 returns HTTP 400 for errors … error info is at the top level").
 */
import type { EmulatorReply, EmulatorRequest, Route } from '../../../engine/sdk/index.js';
import { envelope, result } from './envelope.js';
import type { M3ResultBody } from './envelope.js';
import { MiRefusal, executeTransaction } from './execute.js';
import type { M3State, Row } from './state.js';
import { runs } from './tenant.js';
import type { M3Tenant } from './tenant.js';

const BASE = '/m3api-rest/v2/execute';

/** The 400 answer of a call refused before the program ran. */
function refused(refusal: MiRefusal): EmulatorReply {
  return {
    status: 400,
    body: {
      errorMessage: refusal.errorMessage,
      errorType: refusal.errorType,
      ...(refusal.errorField ? { errorField: refusal.errorField } : {}),
    },
  };
}

function unknownTransaction(program: string, transaction: string): MiRefusal {
  return new MiRefusal('TransactionNotFound', `Transaction ${transaction} does not exist in program ${program}`);
}

/** Routes over the emulator's current state, for the transactions the site runs. */
export function m3Routes(state: () => M3State, tenant: M3Tenant): Route[] {
  const single = (r: EmulatorRequest): EmulatorReply => {
    const [transaction, ...matrix] = r.params.transaction.split(';');
    const name = `${r.params.program}/${transaction}`;
    if (!runs(tenant, name)) return refused(unknownTransaction(r.params.program, transaction));
    const fields: Row = {
      ...Object.fromEntries(matrix.map((m) => m.split('=') as [string, string])),
      ...r.query,
      ...asFields(r.body),
    };
    const outcome = executeTransaction(state(), tenant, name, fields);
    return outcome instanceof MiRefusal ? refused(outcome) : envelope([outcome]);
  };
  return [
    { method: 'GET', path: `${BASE}/:program/:transaction`, handle: single },
    { method: 'POST', path: `${BASE}/:program/:transaction`, handle: single },
    {
      method: 'POST',
      path: BASE,
      handle: (r) => {
        const body = (r.body ?? {}) as {
          program?: string;
          cono?: number;
          divi?: string;
          transactions?: { transaction: string; record?: Record<string, unknown> }[];
          continueOnError?: boolean;
        };
        if (!body.program || !Array.isArray(body.transactions))
          return { status: 400, body: { errorMessage: 'program and transactions are required' } };
        const results: M3ResultBody[] = [];
        for (const tx of body.transactions) {
          const name = `${body.program}/${tx.transaction}`;
          const context: Row = {
            ...(body.cono === undefined ? {} : { CONO: String(body.cono) }),
            ...(body.divi === undefined ? {} : { DIVI: body.divi }),
          };
          const run = runs(tenant, name)
            ? executeTransaction(state(), tenant, name, { ...context, ...asFields(tx.record) })
            : unknownTransaction(body.program, tx.transaction);
          const outcome =
            run instanceof MiRefusal
              ? {
                  ...result(tx.transaction, [], { message: run.errorMessage, field: run.errorField, code: '' }),
                  errorType: run.errorType,
                }
              : run;
          results.push(outcome);
          if (outcome.errorMessage && !body.continueOnError) return envelope(results, true);
        }
        return envelope(results);
      },
    },
  ];
}

/** A JSON or form body as M3 fields (M3 receives text). */
function asFields(body: unknown): Row {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return {};
  return Object.fromEntries(
    Object.entries(body as Record<string, unknown>)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, String(v)]),
  );
}
