/** The Magento REST V1 routes the emulator answers, with Magento's status codes and error bodies. */
import type { EmulatorRequest, Route } from '../../../engine/sdk/index.js';
import { attributeRoutes, seedAttributes } from './attribute-routes.js';
import type { StoreAttributes } from './attribute-routes.js';
import { catalogRoutes } from './catalog-routes.js';
import { categoryRoutes } from './category-routes.js';
import { companyCreditRoutes } from './company-credit-routes.js';
import { configurableRoutes } from './configurable-routes.js';
import { creditmemoRoutes } from './creditmemo-routes.js';
import { customerRoutes } from './customer-routes.js';
import { directoryRoutes } from './directory.js';
import { invoiceRoutes } from './invoice-routes.js';
import { orderRoutes } from './order-routes.js';
import { priceRoutes } from './price-routes.js';
import { quoteRoutes } from './quote-routes.js';
import type { InputLimits } from './search-criteria.js';
import { storeRoutes } from './store-routes.js';
import type { MagentoState } from './state.js';

/** What the routes take from the emulator's options. */
export interface MagentoRouteOptions {
  inputLimits?: InputLimits;
  /** The store's EAV attributes (metadata, kept across resets). @default a default install's */
  attributes?: StoreAttributes;
}

/**
 * Every route, under `/rest/<store_code>/V1` (refusing codes the store does not have; `all` is the admin scope) and
 * under `/rest/V1`, which Magento serves in the default store.
 */
export function magentoRoutes(state: () => MagentoState, options: MagentoRouteOptions = {}): Route[] {
  const attributes = options.attributes ?? seedAttributes();
  const under = (V1: string) => [
    ...attributeRoutes(V1, attributes, options.inputLimits),
    // Before `products/:sku`: Magento serves `products/tier-prices` and `special-price` as routes of their own.
    ...priceRoutes(V1, state),
    ...catalogRoutes(V1, state),
    ...configurableRoutes(V1, state, attributes),
    ...categoryRoutes(V1, state),
    ...customerRoutes(V1, state, options.inputLimits),
    ...companyCreditRoutes(V1, state),
    ...orderRoutes(V1, state, options.inputLimits),
    ...invoiceRoutes(V1, state, options.inputLimits),
    ...creditmemoRoutes(V1, state, options.inputLimits),
    ...quoteRoutes(V1, state, options.inputLimits),
    ...storeRoutes(V1, state),
    ...directoryRoutes(V1),
  ];
  const scoped = under('/rest/:store/V1').map((route) => ({
    ...route,
    handle: (r: EmulatorRequest) =>
      state().stores.has(r.params.store)
        ? route.handle(r)
        : {
            status: 400,
            body: { message: "The store that was requested wasn't found. Verify the store and try again." },
          },
  }));
  const defaultStore = under('/rest/V1').map((route) => ({
    ...route,
    handle: (r: EmulatorRequest) => route.handle({ ...r, params: { ...r.params, store: 'default' } }),
  }));
  return [...scoped, ...defaultStore];
}
