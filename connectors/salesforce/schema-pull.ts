/**
 * `junction schema pull` for Salesforce and FinancialForce: each sObject's describe (REST API Developer Guide,
 * "sObject Describe": `GET /services/data/vXX.X/sobjects/{sobject}/describe/`), with the org's custom fields,
 * picklist values, external ids and read-only flags.
 */
import type { OperationDef, SchemaPullDef } from '../../engine/sdk/index.js';
import { SOBJECT_SCHEMAS } from './schemas/index.js';
import { describeOverlay } from './schemas/describe-fields.js';
import type { DescribeField } from './schemas/describe-fields.js';

const version = (options: Record<string, unknown>) => String(options.api_version ?? 'v60.0');

/** `sobjects.describe`: the object's metadata, fields included. */
export const describeOperation: OperationDef = {
  description: "Describe an object: its fields with their metadata (the org's custom fields included).",
  vendorName: 'GET /sobjects/{sobject}/describe',
  kind: 'read',
  object: { param: 'sobject' },
  params: {
    type: 'object',
    required: ['sobject'],
    additionalProperties: false,
    properties: { sobject: { type: 'string', description: 'API name of the object, e.g. Account.' } },
  },
  request: (c) => ({
    method: 'GET',
    path: `/services/data/${version(c.options)}/sobjects/${encodeURIComponent(String(c.params.sobject))}/describe`,
  }),
};

/** Every object the connector knows, described by the org. */
export const salesforceSchemaPull: SchemaPullDef = {
  description: 'sObject describe (GET /services/data/vXX.X/sobjects/{sobject}/describe)',
  entities: Object.keys(SOBJECT_SCHEMAS),
  async pull(entity, read, options) {
    const describe = (await read('sobjects.describe', { sobject: entity })) as { fields?: DescribeField[] };
    return describeOverlay(describe, `GET /services/data/${version(options)}/sobjects/${entity}/describe`);
  },
};
