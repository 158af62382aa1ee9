/** The Salesforce connector (REST API), also used for FinancialForce (Certinia) and its `c2g__` objects. */
import type { ConnectorDef, InboundResponse } from '../../engine/sdk/index.js';
import { startSalesforceEmulator } from './emulator/index.js';
import { classifySalesforceError } from './errors.js';
import { salesforceOperations } from './operations.js';
import { sameRecordId } from './record-id-forms.js';
import { changeEventStream } from './pubsub/change-event-stream.js';
import { salesforceSchemaPull } from './schema-pull.js';
import { SOBJECT_SCHEMAS } from './schemas/index.js';

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
      api_reserve_percent: {
        type: 'number',
        minimum: 0,
        maximum: 90,
        default: 10,
        description:
          "Share of the org's daily API allocation to leave to others: inside it, calls are paced to the rate the rolling 24-hour window frees them.",
      },
      pubsub_url: {
        type: 'string',
        default: 'https://api.pubsub.salesforce.com:7443',
        description:
          'Pub/Sub API endpoint for `change_events` streams (TLS; `http://` only for a local emulator); may be `${env:NAME}`.',
      },
      pubsub_keepalive_timeout: {
        type: 'integer',
        minimum: 1,
        default: 330,
        description:
          'Seconds a `change_events` subscription may go without any message (an event, or the keepalive Salesforce sends within 270 s) before it is taken for a lost connection and opened again.',
      },
    },
  },
  operations: salesforceOperations,
  streams: { change_events: changeEventStream },
  classify: classifySalesforceError,
  sameValue: sameRecordId,
  schemaPull: salesforceSchemaPull,
  entitySchemas: SOBJECT_SCHEMAS,
  // Limits: a cheap authenticated GET that every API-enabled user may call; it touches no record.
  check: {
    description: 'GET /limits (the org API limits)',
    request: (options) => ({ method: 'GET', path: `/services/data/${String(options.api_version ?? 'v60.0')}/limits` }),
  },
  allocation: {
    // `Sforce-Limit-Info: api-usage=18/5000` on every REST response: calls used in the rolling 24 hours / allocation.
    read: (response: InboundResponse) => {
      const m = /api-usage=(\d+)\/(\d+)/.exec(response.headers['sforce-limit-info'] ?? '');
      return m ? { used: Number(m[1]), max: Number(m[2]) } : undefined;
    },
    windowMs: 24 * 3600_000,
    reserve: (options) => Number(options.api_reserve_percent ?? 10) / 100,
  },
  startEmulator: startSalesforceEmulator,
};
