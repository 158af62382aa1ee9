/**
 * The telemetry layer of the HTTP stack: one event per HTTP exchange (calls and token requests), handed to an
 * optional hook (metrics) and an optional pino-compatible logger. Events only ever carry redacted URLs and messages.
 */
import type { CallContext } from './transport.js';

/** One HTTP exchange as the stack saw it. */
export interface HttpCallEvent {
  /** `call` for an operation's request, `token` for an OAuth2 token request. */
  kind: 'call' | 'token';
  connection: string;
  connector: string;
  /** The operation name; empty for token requests. */
  operation: string;
  method: string;
  /** Absolute URL with secrets masked. */
  url: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  durationMs: number;
  /** Time the request waited for a free slot of the connection's `max_concurrency`, when it waited. */
  queuedMs?: number;
  outcome: 'ok' | 'error';
  /** 1 for the first try; 2 for the retry after a token refresh. */
  attempt: number;
  /** The classified error, when the exchange failed. */
  error?: { code: string; disposition: string; vendorCode?: string; message: string };
  context: CallContext;
}

/** Receives every HttpCallEvent (e.g. to feed prom-client histograms). Exceptions it throws are ignored. */
export type TelemetryHook = (event: HttpCallEvent) => void;

/** The subset of a pino logger the stack uses. */
export interface HttpLogger {
  debug(object: object, message?: string): void;
  warn(object: object, message?: string): void;
}

/**
 * Returns the function the client calls once per exchange: it feeds the hook and logs (debug when ok, warn on error).
 * Undefined when there is neither: the engine's own clients have none, and an event nobody receives is not built.
 */
export function createTelemetry(options: {
  hook?: TelemetryHook;
  logger?: HttpLogger;
}): ((event: HttpCallEvent) => void) | undefined {
  const { hook, logger } = options;
  if (!hook && !logger) return undefined;
  return (event) => {
    try {
      hook?.(event);
    } catch {
      // Telemetry must never change the outcome of a call.
    }
    if (!logger) return;
    const line = {
      connection: event.connection,
      operation: event.operation || undefined,
      kind: event.kind,
      method: event.method,
      url: event.url,
      status: event.status,
      durationMs: event.durationMs,
      attempt: event.attempt,
      ...event.context,
      ...(event.error ? { error: event.error } : {}),
    };
    if (event.outcome === 'ok') logger.debug(line, `${event.method} ${event.url} -> ${event.status}`);
    else logger.warn(line, `${event.method} ${event.url} failed: ${event.error?.code ?? 'error'}`);
  };
}
