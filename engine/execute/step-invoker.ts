/**
 * The StepInvoker over the shared HTTP stack: one connection client per connection, reused across events. The
 * runtime passes the real transport; the dry run passes a fixture transport. Everything else is the same code.
 */
import { createConnectionClient } from '../http/connection-client.js';
import type { ConnectionClient, ConnectionSecurity, SentRequest } from '../http/connection-client.js';
import type { Transport } from '../http/transport.js';
import type { ConnectorRegistry } from '../sdk/connector.js';
import { ConnectorError } from '../sdk/errors.js';
import type { CompiledSpecSet, CompiledStep } from '../compiler/compiled-spec.js';
import type { PlannedRequest, StepInvoker } from './execution-types.js';

/** The compiled set and connectors to call through, and the innermost transport (real HTTP by default). */
interface StepInvokerOptions {
  specSet: CompiledSpecSet;
  connectors: ConnectorRegistry;
  transport?: Transport;
  env?: NodeJS.ProcessEnv;
  /** The engine's secret allowlist and private targets. */
  security?: ConnectionSecurity;
}

/** A StepInvoker whose errors carry `request` (the PlannedRequest) whenever the request was built. */
export function createStepInvoker(options: StepInvokerOptions): StepInvoker {
  const clients = new Map<string, ConnectionClient>();
  const clientFor = (name: string): ConnectionClient => {
    let client = clients.get(name);
    if (!client) {
      const connection = options.specSet.connections.get(name);
      const connector = connection && options.connectors.get(connection.type);
      if (!connection || !connector)
        throw new ConnectorError('unknown-connection', `connection ${name} is not in the active spec set`, 'permanent');
      client = createConnectionClient({
        connection,
        connector,
        transport: options.transport,
        env: options.env,
        security: options.security,
      });
      clients.set(name, client);
    }
    return client;
  };
  return async (step, call, context) => {
    try {
      const result = await clientFor(step.connection).call(step.operation, call, context);
      return {
        request: planned(step, context.index, result.request),
        response: result.response,
        result: result.result,
      };
    } catch (error) {
      const sent = (error as { request?: SentRequest }).request;
      if (sent) Object.assign(error as object, { request: planned(step, context.index, sent) });
      throw error;
    }
  };
}

function planned(step: CompiledStep, index: number | undefined, sent: SentRequest): PlannedRequest {
  return {
    step: step.id,
    ...(index === undefined ? {} : { index }),
    connection: step.connection,
    operation: step.operation,
    method: sent.method,
    path: sent.path,
    ...(sent.body === undefined ? {} : { body: sent.body }),
  };
}
