/** The generic HTTP/JSON connector, for in-house applications. */
import { ConnectorError } from '../../engine/sdk/index.js';
import type { ConnectorDef, InboundResponse } from '../../engine/sdk/index.js';
import { startHttpEmulator } from './emulator.js';
import { httpOperations } from './operations.js';

function classify(response: InboundResponse): ConnectorError {
  const body = (response.body ?? {}) as { error?: string; message?: string; code?: string };
  const message = body.message ?? (typeof response.body === 'string' ? response.body.slice(0, 200) : `HTTP ${response.status}`);
  const code = response.status === 404 ? 'not-found' : response.status === 409 ? 'conflict' : response.status === 423 ? 'record-locked' : 'validation';
  return new ConnectorError(code, message, 'permanent', { status: response.status, vendorCode: body.error ?? body.code });
}

export const httpConnector: ConnectorDef = {
  id: 'http',
  description: 'Generic JSON over HTTP: GET/POST/PUT/PATCH/DELETE with a path template filled from the record.',
  options: { type: 'object', additionalProperties: false, properties: {} },
  operations: httpOperations,
  classify,
  startEmulator: startHttpEmulator,
};
