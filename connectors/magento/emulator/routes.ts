/** The Magento REST V1 routes the emulator answers, with Magento's status codes and error bodies. */
import type { Route } from '../../../engine/sdk/index.js';
import { catalogRoutes } from './catalog-routes.js';
import { customerRoutes } from './customer-routes.js';
import { orderRoutes } from './order-routes.js';
import { quoteRoutes } from './quote-routes.js';
import { storeRoutes } from './store-routes.js';
import type { MagentoState } from './state.js';

const V1 = '/rest/:store/V1';

/** Every route, each refusing store codes the store does not have. */
export function magentoRoutes(state: () => MagentoState): Route[] {
  const routes = [
    ...catalogRoutes(V1, state),
    ...customerRoutes(V1, state),
    ...orderRoutes(V1, state),
    ...quoteRoutes(V1, state),
    ...storeRoutes(V1, state),
  ];
  return routes.map((route) => ({
    ...route,
    handle: (r) =>
      state().stores.has(r.params.store)
        ? route.handle(r)
        : {
            status: 400,
            body: { message: "The store that was requested wasn't found. Verify the store and try again." },
          },
  }));
}
