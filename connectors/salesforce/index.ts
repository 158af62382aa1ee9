/** The Salesforce connector (REST API), also used for FinancialForce (Certinia) and its `c2g__` objects. */
import type { ConnectorDef } from '../../engine/sdk/index.js';
import { startSalesforceEmulator } from './emulator/index.js';
import { classifySalesforceError } from './errors.js';
import { salesforceOperations } from './operations.js';

/** Salesforce REST, including FinancialForce objects. */
export const salesforceConnector: ConnectorDef = {
  id: 'salesforce',
  description:
    'Salesforce REST API: sObjects create/update/upsert/delete, SOQL with pagination, composite. FinancialForce objects included.',
  options: {
    type: 'object',
    additionalProperties: false,
    properties: {
      api_version: {
        type: 'string',
        pattern: '^v\\d+\\.\\d$',
        default: 'v60.0',
        description: 'REST API version in the path.',
      },
    },
  },
  operations: salesforceOperations,
  classify: classifySalesforceError,
  // Limits: a cheap authenticated GET that every API-enabled user may call; it touches no record.
  check: {
    description: 'GET /limits (the org API limits)',
    request: (options) => ({ method: 'GET', path: `/services/data/${String(options.api_version ?? 'v60.0')}/limits` }),
  },
  startEmulator: startSalesforceEmulator,
};
