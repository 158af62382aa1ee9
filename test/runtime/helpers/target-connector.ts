/**
 * A connector for the fake target of the runtime tests: upsert by natural key (PUT), create-only (POST, not
 * idempotent), a look-up by natural key for `find`, and a search for schedule polling. Compiled specs reference it as
 * `type: target`.
 */
import type { ConnectorDef, ConnectorRegistry } from '../../../engine/sdk/connector.js';

export const targetConnector: ConnectorDef = {
  id: 'target',
  description: 'Fake target of the runtime tests',
  options: { type: 'object', properties: {} },
  operations: {
    'records.upsert': {
      description: 'Create or replace a record by its natural key',
      vendorName: 'PUT /records/{key}',
      kind: 'upsert',
      object: 'record',
      identity: ['key'],
      request: ({ body }) => ({
        method: 'PUT',
        path: `/records/${encodeURIComponent(String((body as { key: unknown }).key))}`,
        body,
      }),
    },
    'records.create': {
      description: 'Create a record (not idempotent: the target ignores Idempotency-Key)',
      vendorName: 'POST /records',
      kind: 'create',
      object: 'entry',
      request: ({ body }) => ({ method: 'POST', path: '/records', body }),
    },
    'records.find': {
      description: 'The records with a natural key',
      vendorName: 'GET /records?key={key}',
      kind: 'query',
      object: 'entry',
      request: ({ body }) => ({
        method: 'GET',
        path: '/records',
        query: { key: String((body as { key: unknown }).key) },
      }),
    },
    'records.search': {
      description: 'Records changed after a cursor',
      vendorName: 'GET /source?after={after}',
      kind: 'query',
      object: 'source_record',
      // a poll body's `region`, when it has one, narrows the listing
      request: ({ params, body }) => {
        const region = (body as { region?: unknown } | undefined)?.region;
        const query = {
          after: String(params.after ?? ''),
          ...(region === undefined ? {} : { region: String(region) }),
        };
        return { method: 'GET', path: '/source', query };
      },
    },
  },
  classify: () => new Error('classified by the test invoker'),
};

export function targetConnectors(): ConnectorRegistry {
  return new Map([[targetConnector.id, targetConnector]]);
}
