/**
 * Starts the Infor M3 emulator: MI REST v2 execute endpoints driven by the catalog, NOK results the M3 way, and either
 * basic auth (an M3 user) or OAuth2 bearer tokens from an ION-API-style token endpoint (`POST /as/token.oauth2`): the
 * resource-owner password grant of a service account (.ionapi saak/sask) or client credentials. The site's layouts can
 * have input fields the catalog lacks (`extraInputs`), and the site can refuse MRS001MI (`miRepository: false`).
 */
import { bearerToken, createTokenIssuer, startEmulatorServer } from '../../../engine/sdk/index.js';
import type { EmulatorOptions, EmulatorServer } from '../../../engine/sdk/index.js';
import { m3Routes } from './routes.js';
import { TABLES, seedM3State } from './state.js';
import type { M3State, Table, TransientFault } from './state.js';
import { m3Tenant } from './tenant.js';
import type { M3TenantOptions } from './tenant.js';

/** The M3 user the emulator accepts for basic auth unless told otherwise. */
export const M3_EMULATOR_USER = { username: 'M3SRVADM', password: 'm3-emulator-password' };
/** The OAuth2 client the emulator's token endpoint accepts unless told otherwise. */
export const M3_EMULATOR_CLIENT = { clientId: 'm3-emulator-client', clientSecret: 'm3-emulator-secret' };
/** The ION API service account (the .ionapi file's saak and sask) the password grant accepts. */
export const M3_EMULATOR_SERVICE_ACCOUNT = { accessKey: 'EMULATOR_TST#service-account-key', secretKey: 'm3-sask' };
/** Where the emulator issues OAuth2 tokens (relative to its URL). */
export const M3_TOKEN_PATH = '/as/token.oauth2';

/** A running M3 emulator, with its tables for assertions. */
export interface M3Emulator extends EmulatorServer {
  state: M3State;
  /** Marks a record as held by another job: changes to it wait and give up (XO_1130) until `reset`. */
  lock(table: Table, id: string): void;
  /** The next `times` calls (of `transaction`, or any) answer transient contention (XUP0001 or XO_1130). */
  contend(fault: TransientFault): void;
  /** Makes every issued OAuth2 token expire now (the next call with one gets 401). */
  expireTokens(): void;
}

/** Options of the M3 emulator. */
export interface M3EmulatorOptions extends EmulatorOptions, M3TenantOptions {
  username?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  serviceAccount?: { accessKey: string; secretKey: string };
  /** Lifetime of OAuth2 tokens. @default 2 hours */
  tokenTtlMs?: number;
}

/** Starts the emulator on loopback (a random port unless `port` is given). */
export async function startM3Emulator(options: M3EmulatorOptions = {}): Promise<M3Emulator> {
  let state = seedM3State();
  const tenant = m3Tenant(options);
  const basic =
    'Basic ' +
    Buffer.from(
      `${options.username ?? M3_EMULATOR_USER.username}:${options.password ?? M3_EMULATOR_USER.password}`,
    ).toString('base64');
  const client = {
    id: options.clientId ?? M3_EMULATOR_CLIENT.clientId,
    secret: options.clientSecret ?? M3_EMULATOR_CLIENT.clientSecret,
  };
  const tokens = createTokenIssuer({ ttlMs: options.tokenTtlMs ?? 2 * 3600_000 });
  const account = options.serviceAccount ?? M3_EMULATOR_SERVICE_ACCOUNT;
  const lock = (table: Table, id: string) => void state.locked.add(`${table}/${id}`);
  const contend = (fault: TransientFault) => void state.transients.push({ ...fault });
  const server = await startEmulatorServer(
    {
      name: 'infor_m3',
      routes: [
        {
          method: 'POST',
          path: M3_TOKEN_PATH,
          public: true,
          handle: (r) => {
            const form = (r.body ?? {}) as Record<string, string>;
            if (form.grant_type !== 'client_credentials' && form.grant_type !== 'password')
              return { status: 400, body: { error: 'unsupported_grant_type' } };
            if (form.client_id !== client.id || form.client_secret !== client.secret)
              return {
                status: 401,
                body: { error: 'invalid_client', error_description: 'Client authentication failed' },
              };
            if (
              form.grant_type === 'password' &&
              (form.username !== account.accessKey || form.password !== account.secretKey)
            )
              return { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid service account' } };
            const { token, expiresInSeconds } = tokens.issue();
            return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: expiresInSeconds } };
          },
        },
        ...m3Routes(() => state, tenant),
      ],
      authenticate: (r) =>
        r.headers.authorization === basic || tokens.valid(bearerToken(r.headers.authorization))
          ? undefined
          : { status: 401, body: { code: 401, message: 'Unauthorized: invalid user, password or access token' } },
      rateLimitedBody: { code: 429, message: 'Too many requests' },
      notFound: (r) => ({ status: 404, body: { code: 404, message: `No resource ${r.method} ${r.path}` } }),
      state: () => ({
        ...Object.fromEntries(Object.entries(state.tables).map(([k, v]) => [k, [...v.values()]])),
        locked: [...state.locked],
      }),
      reset: () => void (state = seedM3State()),
      controls: {
        lock: (body) => {
          const { object, id } = (body ?? {}) as { object?: string; id?: string };
          if (!object || !id || !TABLES.includes(object as Table))
            return { status: 400, body: { message: `POST {"object": one of ${TABLES.join(', ')}, "id": "<key>"}` } };
          lock(object as Table, id);
          return { status: 204 };
        },
        transient: (body) => {
          const { code, transaction, times } = (body ?? {}) as Partial<TransientFault>;
          if (code !== 'XUP0001' && code !== 'XO_1130')
            return {
              status: 400,
              body: {
                message: 'POST {"code": "XUP0001" | "XO_1130", "transaction": "PROGRAM/Transaction", "times": 1}',
              },
            };
          contend({ code, transaction, times: times ?? 1 });
          return { status: 204 };
        },
        'mi-repository': (body) => {
          const { available } = (body ?? {}) as { available?: unknown };
          if (typeof available !== 'boolean') return { status: 400, body: { message: 'POST {"available": false}' } };
          tenant.miRepository = available;
          return { status: 204 };
        },
        'expire-tokens': () => {
          tokens.expireAll();
          return { status: 204 };
        },
      },
    },
    options,
  );
  Object.defineProperty(server, 'state', { get: () => state, enumerable: true });
  return Object.assign(server, { lock, contend, expireTokens: () => tokens.expireAll() }) as M3Emulator;
}
