/** Starts the Salesforce emulator: OAuth2 client credentials with expiring tokens, sObjects, SOQL, composite. */
import { startEmulatorServer } from '../../../engine/sdk/index.js';
import type { EmulatorOptions, EmulatorServer } from '../../../engine/sdk/index.js';
import { observeRecords } from './record-changes.js';
import type { RecordChange } from './record-changes.js';
import { salesforceRoutes } from './routes.js';
import { seedSalesforceState } from './state.js';
import type { SalesforceState } from './state.js';

/** The client credentials the emulator accepts unless told otherwise. */
export const SALESFORCE_EMULATOR_CLIENT = {
  clientId: 'junction-emulator-client',
  clientSecret: 'junction-emulator-secret',
};

/** A running Salesforce emulator, with its org state for assertions. */
export interface SalesforceEmulator extends EmulatorServer {
  state: SalesforceState;
  /** Records of one object, for assertions. */
  records(sobject: string): Record<string, unknown>[];
  /** Makes every issued token expire now (the next call gets 401 INVALID_SESSION_ID). */
  expireTokens(): void;
  /** Stops the emulator's clock at `iso` (writes then share one SystemModstamp), or lets it run again. */
  setClock(iso?: string): void;
  /** Calls `listener` with every committed record change (Change Data Capture, tests). */
  onChange(listener: (change: RecordChange) => void): void;
}

/** Options of the Salesforce emulator. */
export interface SalesforceEmulatorOptions extends EmulatorOptions {
  /** Accepted client id. @default SALESFORCE_EMULATOR_CLIENT.clientId */
  clientId?: string;
  /** Accepted client secret. @default SALESFORCE_EMULATOR_CLIENT.clientSecret */
  clientSecret?: string;
  /** How long an access token stays valid. @default 2 hours */
  tokenTtlMs?: number;
  /** Records per query page before `nextRecordsUrl`. @default 2000 */
  queryBatchSize?: number;
}

/** Starts the emulator on loopback (a random port unless `port` is given). */
export async function startSalesforceEmulator(options: SalesforceEmulatorOptions = {}): Promise<SalesforceEmulator> {
  let frozenAt: number | undefined;
  const now = () => frozenAt ?? Date.now();
  const listeners: ((change: RecordChange) => void)[] = [];
  const seed = () => {
    const fresh = seedSalesforceState();
    observeRecords(fresh, now, (change) => listeners.forEach((l) => l(change)));
    return fresh;
  };
  let state = seed();
  let url = '';
  const config = {
    clientId: options.clientId ?? SALESFORCE_EMULATOR_CLIENT.clientId,
    clientSecret: options.clientSecret ?? SALESFORCE_EMULATOR_CLIENT.clientSecret,
    tokenTtlMs: options.tokenTtlMs ?? 2 * 3600_000,
    queryBatchSize: options.queryBatchSize ?? 2000,
    url: () => url,
  };
  const expireTokens = () => {
    for (const token of state.tokens.keys()) state.tokens.set(token, 0);
  };
  const server = await startEmulatorServer(
    {
      name: 'salesforce',
      routes: salesforceRoutes(() => state, config),
      authenticate: (r) => {
        const token = /^Bearer (.+)$/.exec(r.headers.authorization ?? '')?.[1];
        const expires = token ? state.tokens.get(token) : undefined;
        return expires && expires > Date.now()
          ? undefined
          : { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
      },
      rateLimitedBody: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
      notFound: () => ({
        status: 404,
        body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }],
      }),
      state: () => Object.fromEntries([...state.records].map(([k, v]) => [k, [...v.values()]])),
      reset: () => void (state = seed()),
      controls: {
        'expire-tokens': () => {
          expireTokens();
          return { status: 204 };
        },
        clock: (body) => {
          const at = (body as { at?: string } | undefined)?.at;
          frozenAt = at === undefined ? undefined : Date.parse(at);
          return { status: 204 };
        },
      },
    },
    options,
  );
  url = server.url;
  Object.defineProperty(server, 'state', { get: () => state, enumerable: true });
  return Object.assign(server, {
    records: (sobject: string) => [...(state.records.get(sobject)?.values() ?? [])],
    expireTokens,
    setClock: (iso?: string) => void (frozenAt = iso === undefined ? undefined : Date.parse(iso)),
    onChange: (listener: (change: RecordChange) => void) => void listeners.push(listener),
  }) as SalesforceEmulator;
}
