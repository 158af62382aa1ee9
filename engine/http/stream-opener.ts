/**
 * Opens a connector's stream source (`source: stream:`) for a compiled spec set: the connector's subscription gets
 * the connection's auth, base URL and outbound guard, and can call the connector's own operations (enrichment
 * reads) through the same HTTP stack as the steps.
 */
import type { CompiledSpecSet } from '../compiler/compiled-spec.js';
import { resolveRefs } from '../compiler/secret-ref.js';
import type { ConnectorRegistry, OutboundAddress, StreamSubscription } from '../sdk/connector.js';
import { ConnectorError } from '../sdk/errors.js';
import { createConnectionClient } from './connection-client.js';
import { OutboundBlockedError, PUBLIC_ONLY, assertOutboundAllowed, guardedLookup } from './outbound-guard.js';
import type { OutboundPolicy } from './outbound-guard.js';
import type { ConnectionSecurity } from './connection-client.js';

/** What the runtime asks for: a source's connection, stream and params, and where to resume. */
interface StreamRequest {
  connection: string;
  stream: string;
  params: Record<string, unknown>;
  start: 'earliest' | 'latest';
  batchSize: number;
  position?: string;
  /** What the subscription tells the engine an operator must see (StreamContext.notice). */
  notice?(message: string): void;
}

export type StreamOpener = (request: StreamRequest) => StreamSubscription;
export type StreamOpenerFactory = (specSet: CompiledSpecSet) => StreamOpener;

export function createStreamOpener(options: {
  specSet: CompiledSpecSet;
  connectors: ConnectorRegistry;
  env?: NodeJS.ProcessEnv;
  /** The engine's secret allowlist and private targets. */
  security?: ConnectionSecurity;
}): StreamOpener {
  const outbound = options.security?.outbound ?? PUBLIC_ONLY;
  const resolve = (value: string, spec: string) => resolveRefs(value, env, options.security?.secretPolicy, spec);
  const env = options.env ?? process.env;
  return (request) => {
    const connection = options.specSet.connections.get(request.connection);
    const connector = connection && options.connectors.get(connection.type);
    const stream = connector?.streams?.[request.stream];
    if (!connection || !connector || !stream)
      throw new ConnectorError(
        'unknown-operation',
        `connection ${request.connection} has no stream ${request.stream}`,
        'permanent',
      );
    const client = createConnectionClient({ connection, connector, env, security: options.security });
    const subscription = stream.open({
      params: request.params,
      // String options may reference the environment (an endpoint per deployment).
      options: Object.fromEntries(
        Object.entries(connection.options).map(([k, v]) => [
          k,
          typeof v === 'string' ? resolve(v, connection.name) : v,
        ]),
      ),
      baseUrl: resolve(connection.baseUrl, connection.name).replace(/\/$/, ''),
      authHeaders: (refresh) => client.authHeaders(refresh),
      call: async (operation, input) =>
        (await client.call(operation, { params: input.params ?? {}, body: input.body })).result,
      checkOutbound: (url) => checkOutbound(new URL(url), outbound),
      position: request.position,
      notice: request.notice,
      start: request.start,
      batchSize: request.batchSize,
    });
    return {
      [Symbol.asyncIterator]: () => subscription[Symbol.asyncIterator](),
      close: () => {
        subscription.close();
        void client.close();
      },
    };
  };
}

/**
 * The HTTP guard for any scheme: the URL's host, and the addresses it resolves to; answers the first of them, which
 * the caller connects to (a second lookup of the name could answer a private address the check never saw).
 */
async function checkOutbound(url: URL, outbound: OutboundPolicy): Promise<OutboundAddress> {
  try {
    assertOutboundAllowed(new URL(`https://${url.host}`), outbound);
    return await new Promise<OutboundAddress>((resolve, reject) =>
      guardedLookup(outbound)(url.hostname.replace(/^\[|\]$/g, ''), { all: true }, (error, addresses) => {
        const first = Array.isArray(addresses) ? addresses[0] : undefined;
        if (error) reject(error);
        else if (!first) reject(new ConnectorError('network', `${url.hostname} resolves to no address`, 'retryable'));
        else resolve({ address: first.address, family: first.family === 6 ? 6 : 4 });
      }),
    );
  } catch (error) {
    if (error instanceof OutboundBlockedError) throw new ConnectorError('outbound-blocked', error.message, 'permanent');
    throw error;
  }
}
