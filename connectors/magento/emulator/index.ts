/** Starts the Magento 2 emulator: REST V1 on loopback, bearer integration token, failure controls. */
import { startEmulatorServer } from '../../../engine/sdk/index.js';
import type { EmulatorOptions, EmulatorServer } from '../../../engine/sdk/index.js';
import { magentoRoutes } from './routes.js';
import { seedMagentoState } from './state.js';
import type { MagentoState } from './state.js';

export { placeQuoteOrder } from './quote-routes.js';

/** The integration access token the emulator accepts unless told otherwise. */
export const MAGENTO_EMULATOR_TOKEN = 'magento-emulator-token';

/** A running Magento emulator, with its store state for assertions. */
export interface MagentoEmulator extends EmulatorServer {
  state: MagentoState;
}

/** Starts the emulator on loopback; it accepts `Authorization: Bearer <token>` (MAGENTO_EMULATOR_TOKEN by default). */
export async function startMagentoEmulator(
  options: EmulatorOptions & { token?: string } = {},
): Promise<MagentoEmulator> {
  let state = seedMagentoState();
  const token = options.token ?? MAGENTO_EMULATOR_TOKEN;
  const server = await startEmulatorServer(
    {
      name: 'magento',
      routes: magentoRoutes(() => state),
      authenticate: (r) =>
        r.headers.authorization === `Bearer ${token}`
          ? undefined
          : {
              status: 401,
              body: {
                message: "The consumer isn't authorized to access %resources.",
                parameters: { resources: 'Magento_Sales::sales' },
              },
            },
      rateLimitedBody: { message: 'Too many requests. Try again later.' },
      notFound: () => ({ status: 404, body: { message: 'Request does not match any route.' } }),
      state: () => ({
        stores: [...state.stores],
        sources: [...state.sources],
        products: [...state.products.values()],
        source_items: [...state.sourceItems.values()],
        customers: [...state.customers.values()],
        orders: [...state.orders.values()],
        shipments: state.shipments,
        invoices: state.invoices,
        negotiable_quotes: [...state.negotiableQuotes.values()],
      }),
      reset: () => void (state = seedMagentoState()),
    },
    options,
  );
  return Object.defineProperty(server, 'state', { get: () => state, enumerable: true }) as MagentoEmulator;
}
