/** Starts the Infor M3 emulator: MI REST v2 execute endpoint, basic auth, NOK results the M3 way. */
import { startEmulatorServer } from '../../../engine/sdk/index.js';
import type { EmulatorOptions, EmulatorServer } from '../../../engine/sdk/index.js';
import { executeTransaction } from './execute.js';
import { seedM3State } from './state.js';
import type { M3State } from './state.js';

export const M3_EMULATOR_USER = { username: 'M3SRVADM', password: 'm3-emulator-password' };

export interface M3Emulator extends EmulatorServer {
  state: M3State;
  /** Marks a record as locked by another user: the next change to it fails with M3's lock error. */
  lock(object: string, id: string): void;
}

export async function startM3Emulator(options: EmulatorOptions & { username?: string; password?: string } = {}): Promise<M3Emulator> {
  let state = seedM3State();
  const expected = 'Basic ' + Buffer.from(`${options.username ?? M3_EMULATOR_USER.username}:${options.password ?? M3_EMULATOR_USER.password}`).toString('base64');
  const execute = (r: { params: Record<string, string>; query: Record<string, string>; body: unknown }) => executeTransaction(state, `${r.params.program}/${r.params.transaction}`, { ...r.query, ...((r.body ?? {}) as Record<string, string>) });
  const server = await startEmulatorServer(
    {
      name: 'infor_m3',
      routes: [
        { method: 'GET', path: '/m3api-rest/v2/execute/:program/:transaction', handle: execute },
        { method: 'POST', path: '/m3api-rest/v2/execute/:program/:transaction', handle: execute },
      ],
      authenticate: (r) => (r.headers.authorization === expected ? undefined : { status: 401, body: { code: 401, message: 'Unauthorized: invalid user or password' } }),
      rateLimitedBody: { code: 429, message: 'Too many requests' },
      state: () => Object.fromEntries(Object.entries(state.tables).map(([k, v]) => [k, [...v.values()]])),
      reset: () => void (state = seedM3State()),
    },
    options,
  );
  Object.defineProperty(server, 'state', { get: () => state, enumerable: true });
  return Object.assign(server, { lock: (object: string, id: string) => void state.locked.add(`${object}/${id}`) }) as M3Emulator;
}
