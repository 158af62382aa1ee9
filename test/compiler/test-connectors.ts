/**
 * A small connector registry for spec-layer tests: two fake systems whose operations cover every shape the
 * compiler cares about (fixed and param-named objects, identity fields, params schemas, reads and writes, input and
 * output entity schemas for the transform checks).
 */
import { expect } from 'vitest';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import type { ConnectorDef, ConnectorRegistry, JsonSchema, OperationDef } from '../../engine/sdk/connector.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';

const op = (o: Partial<OperationDef> & Pick<OperationDef, 'kind' | 'object'>): OperationDef => ({
  description: 'test operation',
  vendorName: 'TEST',
  request: ({ body }) => ({ method: 'POST', path: '/test', body }),
  ...o,
});

const str = { type: 'string' };
const num = { type: 'number' };
const product = {
  type: 'object',
  required: ['sku'],
  properties: {
    sku: str,
    name: str,
    price: num,
    special_price: num,
    warehouse: str,
    stock: { type: 'object', properties: { qty: num, source: str } },
  },
};
const order = {
  type: 'object',
  properties: {
    id: num,
    status: str,
    updated_at: str,
    customer: { type: 'object', properties: { email: str, name: str } },
    items: { type: 'array', items: { type: 'object', properties: { sku: str, qty: num } } },
  },
};
/** A product bundle whose input schema reaches its types through local $refs (and holds itself in `parts`). */
const bundle = {
  type: 'object',
  required: ['sku'],
  properties: {
    sku: { $ref: '#/definitions/sku' },
    price: { $ref: '#/$defs/money', description: 'the bundle price' },
    tier: { $ref: '#/$defs/tier' },
    parts: { type: 'array', items: { $ref: '#' } },
  },
  definitions: { sku: { type: 'string' }, amount: { type: 'number' } },
  $defs: { money: { $ref: '#/definitions/amount' }, tier: { type: 'string', enum: ['basic', 'premium'] } },
};
const SOBJECTS: Record<string, JsonSchema> = {
  // Vendor field metadata as the Salesforce schemas carry it: an external id, a restricted picklist, a formula.
  Account: {
    type: 'object',
    required: ['Name'],
    properties: {
      Name: str,
      Phone: str,
      Ext_Id__c: { type: 'string', 'x-external-id': true },
      Rating: { type: 'string', enum: ['Hot', 'Warm', 'Cold'] },
      Score__c: { type: 'number', readOnly: true, 'x-calculated': true },
    },
  },
};

const shop: ConnectorDef = {
  id: 'shop',
  description: 'A shop (test double)',
  options: {
    type: 'object',
    additionalProperties: false,
    properties: { store_code: { type: 'string' }, api_key: { type: 'string' } },
  },
  operations: {
    'products.update': op({ kind: 'update', object: 'product', identity: ['sku'], input: product }),
    'bundles.update': op({ kind: 'update', object: 'product', identity: ['sku'], input: bundle }),
    'orders.search': op({
      kind: 'query',
      object: 'order',
      output: { type: 'object', properties: { orders: { type: 'array', items: order }, total: num } },
    }),
    'orders.get': op({ kind: 'read', object: 'order', output: order }),
    // a list that returns its first 100 orders unless `limit: 0` (as M3's maxrecs)
    'orders.list': op({
      kind: 'query',
      object: 'order',
      params: { type: 'object', properties: { limit: num } },
      recordLimit: { param: 'limit', all: 0, byDefault: 100 },
    }),
    // the generic HTTP connector's shape: the URL path is a template param filled from the record
    'records.put': op({
      kind: 'upsert',
      object: { param: 'object' },
      identity: { param: 'id_field' },
      vendorName: 'PUT {path}',
      params: { type: 'object', properties: { path: str, object: str, id_field: str } },
    }),
  },
  classify: () => new Error('test'),
};

const crm: ConnectorDef = {
  id: 'crm',
  description: 'A CRM (test double)',
  options: { type: 'object', properties: {} },
  operations: {
    'sobjects.upsert': op({
      kind: 'upsert',
      object: { param: 'sobject' },
      identity: { param: 'external_id_field' },
      params: {
        type: 'object',
        additionalProperties: false,
        required: ['sobject', 'external_id_field'],
        properties: { sobject: { type: 'string' }, external_id_field: { type: 'string' } },
      },
      inputFor: (params) => SOBJECTS[String(params.sobject)],
    }),
    'sobjects.create': op({
      kind: 'create',
      object: { param: 'sobject' },
      params: { type: 'object', required: ['sobject'], properties: { sobject: { type: 'string' } } },
    }),
    'sobjects.update': op({
      kind: 'update',
      object: { param: 'sobject' },
      identity: ['Id'],
      params: { type: 'object', required: ['sobject'], properties: { sobject: { type: 'string' } } },
    }),
    'sobjects.delete': op({ kind: 'delete', object: { param: 'sobject' } }),
    'sobjects.query': op({
      kind: 'query',
      object: 'query_result',
      input: { type: 'object', required: ['q'], properties: { q: str } },
    }),
  },
  classify: () => new Error('test'),
};

export function testConnectors(): ConnectorRegistry {
  return new Map([shop, crm].map((c) => [c.id, c]));
}

/**
 * Compiles spec files (path -> YAML text) with these connectors; the specs must compile without an error. Warnings
 * (the `verify: none` of tests that post unsigned events, an $xref map filled by hand) do not stop a set running.
 */
export function compileTestSpecs(files: Record<string, string>): CompiledSpecSet {
  const tree = {
    displayRoot: '.',
    files: Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text) })),
  };
  const result = compileSpecTree(tree, { connectors: testConnectors(), engine: referenceEngine });
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.specSet!;
}
