/** The Infor M3 connector: MI programs over the M3 REST API (`/m3api-rest/v2/execute`). */
import type { ConnectorDef } from '../../engine/sdk/index.js';
import { startM3Emulator } from './emulator/index.js';
import { classifyM3Error } from './errors.js';
import { m3Operations } from './operations.js';
import { m3SchemaPull } from './schema-pull.js';
import { suggestTransaction } from './suggest.js';

/** Infor M3 MI transactions over REST. */
export const inforM3Connector: ConnectorDef = {
  id: 'infor_m3',
  description:
    'Infor M3 MI transactions over REST, from M3 metadata: customers, suppliers, items, balances, batch customer orders, PO batch entry, supplier invoice batches, GL interface batches.',
  options: {
    type: 'object',
    additionalProperties: false,
    properties: {
      company: { type: 'integer', description: 'M3 company (CONO) sent with every transaction.', examples: [100] },
      division: { type: 'string', description: 'M3 division (DIVI) for financial transactions.', examples: ['AAA'] },
    },
  },
  operations: m3Operations,
  suggest: suggestTransaction,
  classify: classifyM3Error,
  // One customer from the customer list: the cheapest MI read every M3 user can run.
  check: {
    description: 'CRS610MI/LstByNumber, 1 record',
    request: (options) => ({
      method: 'GET',
      path: '/m3api-rest/v2/execute/CRS610MI/LstByNumber',
      query: { maxrecs: 1, ...(options.company === undefined ? {} : { CONO: Number(options.company) }) },
    }),
  },
  schemaPull: m3SchemaPull,
  startEmulator: startM3Emulator,
};
