/**
 * Generic JSON over HTTP, for in-house apps. The step's `path` param is a template whose `{field}` parts are filled
 * from the record (URL-encoded); `object` names the record type for ownership, and `id_field` its identity.
 */
import { permanentError } from '../../engine/sdk/index.js';
import type { HttpMethod, JsonSchema, OperationCall, OperationDef, OperationKind } from '../../engine/sdk/index.js';

type Row = Record<string, unknown>;

const params: JsonSchema = {
  type: 'object',
  required: ['path'],
  additionalProperties: false,
  properties: {
    path: { type: 'string', pattern: '^/', description: 'Path template relative to base_url; {field} is taken from the record.', examples: ['/orders/{id}/status'] },
    object: { type: 'string', description: 'Record type, for `owns`.', default: 'resource' },
    id_field: { type: 'string', description: 'Field that identifies the record (passes the ownership filter).' },
  },
};

function fillPath(call: OperationCall): string {
  const row = (call.body ?? {}) as Row;
  return String(call.params.path).replace(/\{(\w+)\}/g, (_, field: string) => {
    const value = row[field];
    if (value === undefined || value === null || value === '') throw permanentError('validation', `the record has no ${field} for the path ${String(call.params.path)}`, { field });
    return encodeURIComponent(String(value));
  });
}

function op(method: HttpMethod, kind: OperationKind, description: string): OperationDef {
  return {
    description,
    vendorName: `${method} {path}`,
    kind,
    object: { param: 'object' },
    identity: { param: 'id_field' },
    params,
    request: (c) => ({ method, path: fillPath(c), body: method === 'GET' || method === 'DELETE' ? undefined : c.body }),
  };
}

export const httpOperations: Record<string, OperationDef> = {
  get: op('GET', 'read', 'GET a JSON resource.'),
  post: op('POST', 'create', 'POST the record as JSON (create).'),
  put: op('PUT', 'update', 'PUT the record as JSON (replace/update).'),
  patch: op('PATCH', 'update', 'PATCH the record as JSON (partial update).'),
  delete: op('DELETE', 'delete', 'DELETE a resource.'),
};
