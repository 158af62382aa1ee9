/**
 * Generic JSON over HTTP, for in-house apps. `request` takes the method as a param; `get`/`post`/`put`/`patch`/
 * `delete` fix it. The `path` param is a template whose `{field}` parts are filled from the record; `object` names
 * the record type for ownership, and `id_field` its identity.
 */
import { permanentError } from '../../engine/sdk/index.js';
import type { HttpMethod, JsonSchema, OperationCall, OperationDef, OperationKind } from '../../engine/sdk/index.js';
import { methodParams, recordSchema, requestParams } from './schemas/index.js';

type Row = Record<string, unknown>;

const KIND: Record<HttpMethod, OperationKind> = {
  GET: 'read',
  POST: 'create',
  PUT: 'update',
  PATCH: 'update',
  DELETE: 'delete',
};

/** The path with every `{field}` replaced by the record's URL-encoded value. */
function fillPath(call: OperationCall): string {
  const row = (call.body ?? {}) as Row;
  const parts = templateParts(String(call.params.path));
  let path = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const field = parts[i]!;
    const value = row[field];
    if (value === undefined || value === null || value === '')
      throw permanentError('validation', `the record has no ${field} for the path ${String(call.params.path)}`, {
        field,
      });
    path += encodeURIComponent(String(value)) + parts[i + 1]!;
  }
  return path;
}

/**
 * Path templates split at their `{field}` parts (text, field, text, ..., text), so a call fills its template without
 * matching it again: every event of a step has the same one. Kept per template text, as many as a spec set may use.
 */
const templates = new Map<string, string[]>();
const TEMPLATES_KEPT = 1_000;

function templateParts(template: string): string[] {
  let parts = templates.get(template);
  if (!parts) {
    parts = template.split(/\{(\w+)\}/);
    if (templates.size >= TEMPLATES_KEPT) templates.clear();
    templates.set(template, parts);
  }
  return parts;
}

function methodOf(call: OperationCall, fixed?: HttpMethod): HttpMethod {
  const method = fixed ?? (String(call.params.method ?? '').toUpperCase() as HttpMethod);
  if (!(method in KIND))
    throw permanentError(
      'validation',
      `method must be one of ${Object.keys(KIND).join(', ')}, not ${String(call.params.method)}`,
      { field: 'method' },
    );
  return method;
}

function op(description: string, params: JsonSchema, kind: OperationKind, fixed?: HttpMethod): OperationDef {
  return {
    description,
    vendorName: `${fixed ?? '{method}'} {path}`,
    kind,
    object: { param: 'object' },
    identity: { param: 'id_field' },
    params,
    input: recordSchema,
    request: (c) => {
      const method = methodOf(c, fixed);
      return { method, path: fillPath(c), body: method === 'GET' || method === 'DELETE' ? undefined : c.body };
    },
  };
}

/** The generic operations; the step result is the response body. */
export const httpOperations: Record<string, OperationDef> = {
  request: op(
    'Any method: `method` and `path` are params; the record is the JSON body (none for GET and DELETE).',
    requestParams,
    'action',
  ),
  get: op('GET a JSON resource.', methodParams, 'read', 'GET'),
  post: op('POST the record as JSON (create).', methodParams, 'create', 'POST'),
  put: op('PUT the record as JSON (replace/update).', methodParams, 'update', 'PUT'),
  patch: op('PATCH the record as JSON (partial update).', methodParams, 'update', 'PATCH'),
  delete: op('DELETE a resource.', methodParams, 'delete', 'DELETE'),
};
