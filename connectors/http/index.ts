/** The generic HTTP/JSON connector, for in-house applications. */
import type { ConnectorDef } from '../../engine/sdk/index.js';
import { startHttpEmulator } from './emulator/index.js';
import { classifyHttpError } from './errors.js';
import { httpOperations } from './operations.js';

/** Generic JSON over HTTP. */
export const httpConnector: ConnectorDef = {
  id: 'http',
  description: 'Generic JSON over HTTP: GET/POST/PUT/PATCH/DELETE with a path template filled from the record.',
  options: {
    type: 'object',
    additionalProperties: false,
    properties: {
      check_path: {
        type: 'string',
        pattern: '^/',
        default: '/',
        description: 'Path `junction check` GETs to prove the URL and the credentials (a health or "who am I" route).',
        examples: ['/health', '/api/me'],
      },
    },
  },
  operations: httpOperations,
  classify: classifyHttpError,
  check: {
    description: 'GET options.check_path',
    request: (options) => ({ method: 'GET', path: String(options.check_path ?? '/') }),
    notFound: 'set options.check_path to a route the system answers (its health or "who am I" route, such as /health)',
  },
  startEmulator: startHttpEmulator,
};
