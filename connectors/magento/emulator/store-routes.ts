/** Store settings: `GET /V1/store/storeConfigs`, one entry per store view (the connection check reads it). */
import type { Route } from '../../../engine/sdk/index.js';
import type { MagentoState } from './state.js';

/** Store routes under `/rest/:store/V1`. */
export function storeRoutes(V1: string, state: () => MagentoState): Route[] {
  return [
    {
      method: 'GET',
      path: `${V1}/store/storeConfigs`,
      handle: (r) => ({
        status: 200,
        body: [...state().stores]
          .filter((code) => code !== 'all')
          .map((code, index) => ({
            id: index + 1,
            code,
            website_id: 1,
            locale: 'en_US',
            base_currency_code: 'USD',
            default_display_currency_code: 'USD',
            timezone: 'America/Los_Angeles',
            weight_unit: 'lbs',
            base_url: `http://${r.headers.host ?? 'localhost'}/`,
          })),
      }),
    },
  ];
}
