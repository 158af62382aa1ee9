/**
 * Starts the Magento 2 emulator: REST V1 on loopback as Magento Open Source / Adobe Commerce 2.4.4+ answers it, with
 * OAuth 1.0a integrations, expiring admin tokens, optional input limits and failure controls (deadlocks).
 */
import { startEmulatorServer } from '../../../engine/sdk/index.js';
import type { EmulatorOptions, EmulatorServer } from '../../../engine/sdk/index.js';
import { magentoAuth } from './auth.js';
import type { MagentoIntegration } from './auth.js';
import { deadlockFault } from './deadlock-fault.js';
import type { DeadlockOptions } from './deadlock-fault.js';
import { addAttribute, seedAttributes } from './attribute-routes.js';
import type { NewAttribute } from './attribute-routes.js';
import { magentoRoutes } from './routes.js';
import type { InputLimits } from './search-criteria.js';
import { seedMagentoState } from './state.js';
import type { MagentoState } from './state.js';

export { addCompany } from './company-credit-routes.js';
export { placeQuoteOrder } from './quote-routes.js';
export { refundOrder } from './creditmemo-routes.js';
export { invoiceOrder } from './order-routes.js';
export { sampleOrder, touch } from './state.js';

/** The integration access token the emulator accepts unless told otherwise. */
export const MAGENTO_EMULATOR_TOKEN = 'magento-emulator-token';

/** The integration (System > Integrations) the emulator knows unless told otherwise. */
export const MAGENTO_EMULATOR_INTEGRATION: MagentoIntegration = {
  consumerKey: 'magento-emulator-consumer-key',
  consumerSecret: 'magento-emulator-consumer-secret',
  accessToken: MAGENTO_EMULATOR_TOKEN,
  accessTokenSecret: 'magento-emulator-token-secret',
};

/** The admin user whose token `POST /V1/integration/admin/token` issues. */
export const MAGENTO_EMULATOR_ADMIN = { username: 'junction-admin', password: 'magento-emulator-admin-password' };

/** A running Magento emulator, with its store state for assertions. */
export interface MagentoEmulator extends EmulatorServer {
  state: MagentoState;
  /** Expires every admin token now (the next call with one gets 401). */
  expireTokens(): void;
  /** The next matching calls fail the way a MySQL deadlock or lock wait surfaces through Magento's REST API. */
  failDeadlock(options?: DeadlockOptions): void;
}

/** Options of the Magento emulator. */
export interface MagentoEmulatorOptions extends EmulatorOptions {
  /** The integration's access token. @default MAGENTO_EMULATOR_TOKEN */
  token?: string;
  /** The integration's OAuth 1.0a credentials. @default MAGENTO_EMULATOR_INTEGRATION (with `token`) */
  integration?: MagentoIntegration;
  /**
   * Accept the integration's access token as a bearer token (the store setting "Allow OAuth Access Tokens to be used
   * as standalone Bearer tokens", off by default since 2.4.4). @default true
   */
  bearerIntegrationTokens?: boolean;
  /** Admin token lifetime (`webapi/jwtauth/admin_expiration`). @default 60 minutes */
  adminTokenTtlMs?: number;
  /** Web API input limits (Stores > Configuration > Services > Web API Input Limits), off unless given. */
  inputLimits?: InputLimits;
  /** Attributes the store's admin added (custom EAV attributes). @default none */
  attributes?: NewAttribute[];
}

/** Starts the emulator on loopback. */
export async function startMagentoEmulator(options: MagentoEmulatorOptions = {}): Promise<MagentoEmulator> {
  let state = seedMagentoState();
  const attributes = seedAttributes();
  for (const a of options.attributes ?? []) addAttribute(attributes, a);
  let url = '';
  const auth = magentoAuth(
    {
      integration: options.integration ?? {
        ...MAGENTO_EMULATOR_INTEGRATION,
        accessToken: options.token ?? MAGENTO_EMULATOR_TOKEN,
      },
      bearerIntegrationTokens: options.bearerIntegrationTokens ?? true,
      admin: { ...MAGENTO_EMULATOR_ADMIN, tokenTtlMs: options.adminTokenTtlMs ?? 3600_000 },
    },
    () => url,
  );
  const failDeadlock = (deadlock: DeadlockOptions = {}) => server.fail(deadlockFault(deadlock));
  const server: EmulatorServer = await startEmulatorServer(
    {
      name: 'magento',
      routes: [...auth.routes, ...magentoRoutes(() => state, { inputLimits: options.inputLimits, attributes })],
      authenticate: auth.authenticate,
      rateLimitedBody: { message: 'Too many requests. Try again later.' },
      notFound: () => ({ status: 404, body: { message: 'Request does not match any route.' } }),
      state: () => ({
        stores: [...state.stores],
        sources: [...state.sources],
        products: [...state.products.values()],
        tier_prices: Object.fromEntries(state.tierPrices),
        special_prices: Object.fromEntries(state.specialPrices),
        source_items: [...state.sourceItems.values()],
        customers: [...state.customers.values()],
        orders: [...state.orders.values()],
        shipments: state.shipments,
        invoices: state.invoices,
        creditmemos: [...state.creditmemos.values()],
        negotiable_quotes: [...state.negotiableQuotes.values()],
      }),
      reset: () => void (state = seedMagentoState()),
      controls: {
        'expire-tokens': () => {
          auth.expireAdminTokens();
          return { status: 204 };
        },
        // POST {"entity_type": "customer", "attribute_code": "loyalty_tier", "label": "Loyalty Tier"}
        attribute: (body) => {
          const a = (body ?? {}) as Partial<NewAttribute>;
          if (!a.attribute_code || !a.label || (a.entity_type !== 'catalog_product' && a.entity_type !== 'customer'))
            return {
              status: 400,
              body: { message: 'POST {"entity_type": "catalog_product"|"customer", "attribute_code", "label"}' },
            };
          addAttribute(attributes, a as NewAttribute);
          return { status: 204 };
        },
        deadlock: (body) => {
          failDeadlock((body ?? {}) as DeadlockOptions);
          return { status: 204 };
        },
      },
    },
    options,
  );
  url = server.url;
  Object.defineProperty(server, 'state', { get: () => state, enumerable: true });
  return Object.assign(server, { expireTokens: auth.expireAdminTokens, failDeadlock }) as MagentoEmulator;
}
