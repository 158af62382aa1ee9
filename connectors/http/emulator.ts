/**
 * A generic JSON API emulator standing in for in-house apps (the BNG shop, the service app): collections of records
 * by id under `/:collection[/:id[/:sub]]`, bearer or no auth, validation errors as `{"error", "message"}`.
 */
import { startEmulatorServer } from '../../engine/sdk/index.js';
import type { EmulatorOptions, EmulatorReply, EmulatorRequest, EmulatorServer } from '../../engine/sdk/index.js';

type Row = Record<string, unknown>;

export interface HttpEmulator extends EmulatorServer {
  collections: Map<string, Map<string, Row>>;
}

export async function startHttpEmulator(options: EmulatorOptions & { token?: string } = {}): Promise<HttpEmulator> {
  let collections = new Map<string, Map<string, Row>>();
  let counter = 0;
  const coll = (name: string) => {
    if (!collections.has(name)) collections.set(name, new Map());
    return collections.get(name)!;
  };
  const body = (r: EmulatorRequest): Row | undefined => (r.body && typeof r.body === 'object' && !Array.isArray(r.body) ? (r.body as Row) : undefined);
  const invalidBody: EmulatorReply = { status: 400, body: { error: 'invalid_body', message: 'the body must be a JSON object' } };
  const write = (r: EmulatorRequest, merge: boolean): EmulatorReply => {
    const row = body(r);
    if (!row) return invalidBody;
    const key = r.params.sub ? `${r.params.id}/${r.params.sub}` : r.params.id;
    const existing = coll(r.params.collection).get(key);
    const next = merge && existing ? { ...existing, ...row } : { ...row, id: row.id ?? r.params.id };
    coll(r.params.collection).set(key, next);
    return { status: 200, body: next };
  };
  const server = await startEmulatorServer(
    {
      name: 'http',
      routes: [
        { method: 'GET', path: '/:collection', handle: (r) => ({ status: 200, body: { items: [...coll(r.params.collection).values()] } }) },
        { method: 'GET', path: '/:collection/:id', handle: (r) => { const row = coll(r.params.collection).get(r.params.id); return row ? { status: 200, body: row } : { status: 404, body: { error: 'not_found', message: `${r.params.collection} ${r.params.id} not found` } }; } },
        {
          method: 'POST',
          path: '/:collection',
          handle: (r) => {
            const row = body(r);
            if (!row) return invalidBody;
            const id = String(row.id ?? ++counter);
            if (coll(r.params.collection).has(id)) return { status: 409, body: { error: 'conflict', message: `${r.params.collection} ${id} already exists` } };
            coll(r.params.collection).set(id, { ...row, id });
            return { status: 201, body: { ...row, id } };
          },
        },
        { method: 'PUT', path: '/:collection/:id', handle: (r) => write(r, false) },
        { method: 'PATCH', path: '/:collection/:id', handle: (r) => write(r, true) },
        { method: 'PUT', path: '/:collection/:id/:sub', handle: (r) => write(r, false) },
        { method: 'PATCH', path: '/:collection/:id/:sub', handle: (r) => write(r, true) },
        { method: 'DELETE', path: '/:collection/:id', handle: (r) => (coll(r.params.collection).delete(r.params.id) ? { status: 204 } : { status: 404, body: { error: 'not_found', message: `${r.params.collection} ${r.params.id} not found` } }) },
      ],
      authenticate: options.token ? (r) => (r.headers.authorization === `Bearer ${options.token}` ? undefined : { status: 401, body: { error: 'unauthorized', message: 'missing or invalid bearer token' } }) : undefined,
      state: () => Object.fromEntries([...collections].map(([k, v]) => [k, [...v.values()]])),
      reset: () => void (collections = new Map()),
    },
    options,
  );
  Object.defineProperty(server, 'collections', { get: () => collections, enumerable: true });
  return server as HttpEmulator;
}
