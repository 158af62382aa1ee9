/**
 * A REST-style JSON API over collections: `GET|POST /:collection`, `GET|PUT|PATCH|DELETE /:collection/:id`, and
 * `PUT|PATCH /:collection/:id/:sub` for sub-resources such as `/orders/B-1/status`. Errors are `{"error", "message"}`.
 */
import type { EmulatorReply, EmulatorRequest, Route } from '../../../engine/sdk/index.js';
import { collection } from './state.js';
import type { HttpState, Row } from './state.js';

const invalidBody: EmulatorReply = {
  status: 400,
  body: { error: 'invalid_body', message: 'the body must be a JSON object' },
};
const notFound = (r: EmulatorRequest): EmulatorReply => ({
  status: 404,
  body: { error: 'not_found', message: `${r.params.collection} ${r.params.id} not found` },
});

/** Routes over the emulator's current state. */
export function httpRoutes(state: () => HttpState): Route[] {
  const rows = (r: EmulatorRequest) => collection(state(), r.params.collection);
  const objectBody = (r: EmulatorRequest): Row | undefined =>
    r.body && typeof r.body === 'object' && !Array.isArray(r.body) ? (r.body as Row) : undefined;
  /** PUT replaces, PATCH merges; a sub-resource is stored under `<id>/<sub>`. */
  const write = (r: EmulatorRequest, merge: boolean): EmulatorReply => {
    const row = objectBody(r);
    if (!row) return invalidBody;
    const key = r.params.sub ? `${r.params.id}/${r.params.sub}` : r.params.id;
    const existing = rows(r).get(key);
    if (merge && !existing && !r.params.sub) return notFound(r);
    const next = merge && existing ? { ...existing, ...row } : { ...row, id: row.id ?? r.params.id };
    rows(r).set(key, next);
    return { status: 200, body: next };
  };
  return [
    { method: 'GET', path: '/:collection', handle: (r) => ({ status: 200, body: { items: [...rows(r).values()] } }) },
    {
      method: 'GET',
      path: '/:collection/:id',
      handle: (r) => {
        const row = rows(r).get(r.params.id);
        return row ? { status: 200, body: row } : notFound(r);
      },
    },
    {
      method: 'POST',
      path: '/:collection',
      handle: (r) => {
        const row = objectBody(r);
        if (!row) return invalidBody;
        const id = String(row.id ?? ++state().counter);
        if (rows(r).has(id))
          return { status: 409, body: { error: 'conflict', message: `${r.params.collection} ${id} already exists` } };
        rows(r).set(id, { ...row, id });
        return { status: 201, body: { ...row, id } };
      },
    },
    { method: 'PUT', path: '/:collection/:id', handle: (r) => write(r, false) },
    { method: 'PATCH', path: '/:collection/:id', handle: (r) => write(r, true) },
    { method: 'PUT', path: '/:collection/:id/:sub', handle: (r) => write(r, false) },
    { method: 'PATCH', path: '/:collection/:id/:sub', handle: (r) => write(r, true) },
    {
      method: 'DELETE',
      path: '/:collection/:id',
      handle: (r) => (rows(r).delete(r.params.id) ? { status: 204 } : notFound(r)),
    },
  ];
}
