/** The generic HTTP/JSON connector, for in-house applications. */
import type { ConnectorDef } from '../../engine/sdk/index.js';
import { startHttpEmulator } from './emulator/index.js';
import { classifyHttpError } from './errors.js';
import { httpOperations } from './operations.js';

/** Generic JSON over HTTP. */
export const httpConnector: ConnectorDef = {
  id: 'http',
  description: 'Generic JSON over HTTP: GET/POST/PUT/PATCH/DELETE with a path template filled from the record.',
  options: { type: 'object', additionalProperties: false, properties: {} },
  operations: httpOperations,
  classify: classifyHttpError,
  startEmulator: startHttpEmulator,
};
