/** Starts the Salesforce emulator: OAuth2 client credentials with expiring tokens, sObjects, SOQL, composite. */
import { startEmulatorServer } from '../../../engine/sdk/index.js';
import type { EmulatorOptions, EmulatorServer } from '../../../engine/sdk/index.js';
import { salesforceRoutes } from './routes.js';
import { seedSalesforceState } from './state.js';
import type { SalesforceState } from './state.js';

export const SALESFORCE_EMULATOR_CLIENT = { clientId: 'junction-emulator-client', clientSecret: 'junction-emulator-secret' };

export interface SalesforceEmulator extends EmulatorServer {
  state: SalesforceState;
  /** Records of one object, for assertions. */
  records(sobject: string): Record<string, unknown>[];
  /** Makes every issued token expire now (the next call gets 401 INVALID_SESSION_ID). */
  expireTokens(): void;
}

export interface SalesforceEmulatorOptions extends EmulatorOptions {
  clientId?: string;
  clientSecret?: string;
  tokenTtlMs?: number;
  queryBatchSize?: number;
}

export async function startSalesforceEmulator(options: SalesforceEmulatorOptions = {}): Promise<SalesforceEmulator> {
  let state = seedSalesforceState();
  let url = '';
  const config = {
    clientId: options.clientId ?? SALESFORCE_EMULATOR_CLIENT.clientId,
    clientSecret: options.clientSecret ?? SALESFORCE_EMULATOR_CLIENT.clientSecret,
    tokenTtlMs: options.tokenTtlMs ?? 2 * 3600_000,
    queryBatchSize: options.queryBatchSize ?? 2000,
    url: () => url,
  };
  const server = await startEmulatorServer(
    {
      name: 'salesforce',
      routes: salesforceRoutes(() => state, config),
      authenticate: (r) => {
        const token = /^Bearer (.+)$/.exec(r.headers.authorization ?? '')?.[1];
        const expires = token ? state.tokens.get(token) : undefined;
        return expires && expires > Date.now() ? undefined : { status: 401, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] };
      },
      rateLimitedBody: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
      notFound: () => ({ status: 404, body: [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }] }),
      state: () => Object.fromEntries([...state.records].map(([k, v]) => [k, [...v.values()]])),
      reset: () => void (state = seedSalesforceState()),
    },
    options,
  );
  url = server.url;
  Object.defineProperty(server, 'state', { get: () => state, enumerable: true });
  return Object.assign(server, {
    records: (sobject: string) => [...(state.records.get(sobject)?.values() ?? [])],
    expireTokens: () => {
      for (const token of state.tokens.keys()) state.tokens.set(token, 0);
    },
  }) as SalesforceEmulator;
}
