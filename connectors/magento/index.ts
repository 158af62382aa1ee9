/** The Magento 2 / Adobe Commerce connector (REST V1). */
import type { ConnectorDef } from '../../engine/sdk/index.js';
import { startMagentoEmulator } from './emulator/index.js';
import { classifyMagentoError } from './errors.js';
import { magentoOperations } from './operations.js';
import { magentoSchemaPull } from './schema-pull.js';

/** Magento 2 / Adobe Commerce REST V1. */
export const magentoConnector: ConnectorDef = {
  id: 'magento',
  description:
    'Magento 2 / Adobe Commerce REST V1: orders, customers, products (partial updates), stock and source items, shipments, invoices.',
  options: {
    type: 'object',
    additionalProperties: false,
    properties: {
      store_code: {
        type: 'string',
        default: 'default',
        description: 'Store view code in the REST path (/rest/<store_code>/V1).',
      },
    },
  },
  operations: magentoOperations,
  classify: classifyMagentoError,
  schemaPull: magentoSchemaPull,
  // Store configs: refused to anonymous callers by default (Magento's "restrict anonymous web APIs"), so an answer
  // proves the token; it reads only the store's settings.
  check: {
    description: 'GET /V1/store/storeConfigs (store settings)',
    request: (options) => ({
      method: 'GET',
      path: `/rest/${String(options.store_code ?? 'default')}/V1/store/storeConfigs`,
    }),
  },
  startEmulator: startMagentoEmulator,
};
