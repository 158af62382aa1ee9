/** The connectors this build of Junction knows, listed explicitly (no side-effect registration). */
import type { ConnectorDef, ConnectorRegistry } from '../engine/sdk/index.js';
import { httpConnector } from './http/index.js';
import { inforM3Connector } from './infor_m3/index.js';
import { magentoConnector } from './magento/index.js';
import { salesforceConnector } from './salesforce/index.js';

/** Every built-in connector, in a fixed order. */
export const CONNECTORS: readonly ConnectorDef[] = [
  salesforceConnector,
  magentoConnector,
  inforM3Connector,
  httpConnector,
];

/** A fresh registry of the built-in connectors, keyed by id (a value, never a global). */
export function createConnectorRegistry(): ConnectorRegistry {
  return new Map(CONNECTORS.map((c) => [c.id, c]));
}
