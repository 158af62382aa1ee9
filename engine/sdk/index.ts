/** The connector SDK's public surface. Connectors import from here and nowhere else in the engine. */
export type {
  ConnectionCheckDef,
  ConnectorDef,
  ConnectorRegistry,
  EmulatorHandle,
  EmulatorOptions,
  EntityOverlay,
  HttpMethod,
  InboundResponse,
  JsonSchema,
  KnownObjects,
  OperationCall,
  OperationDef,
  OperationKind,
  OutboundAddress,
  OutboundRequest,
  ParamProblem,
  RefusedEvent,
  SchemaPullDef,
  UsageAllocation,
  StreamBatch,
  StreamContext,
  StreamSourceDef,
  StreamSubscription,
} from './connector.js';
/** "Did you mean": the closest name within a small edit distance, whatever the case. */
export { closestMatch } from '../compiler/suggest.js';
export { ConnectorError, permanentError, retryableError } from './errors.js';
export type { ConnectorErrorDetails, ErrorDisposition } from './errors.js';
export { startEmulatorServer } from './emulator-kit.js';
export { bearerToken, createTokenIssuer } from './emulator-tokens.js';
export type { TokenIssuer } from './emulator-tokens.js';
export type {
  EmulatorDefinition,
  EmulatorReply,
  EmulatorRequest,
  EmulatorServer,
  Fault,
  Route,
} from './emulator-kit.js';
