/**
 * A StepInvoker for the runtime tests: real HTTP to the fake target through fetch, with the classification a real
 * connector would apply (429/5xx/timeouts/network retryable with Retry-After, other 4xx permanent). It stands in
 * for engine/execute/step-invoker.ts so the runtime can be tested on its own.
 */
import type { PlannedRequest, StepInvoker } from '../../../engine/execute/execution-types.js';
import { permanentError, retryableError } from '../../../engine/sdk/errors.js';
import type { CompiledSpecSet } from '../../../engine/compiler/compiled-spec.js';
import { targetConnector } from './target-connector.js';

export function httpTestInvoker(specSet: CompiledSpecSet): StepInvoker {
  return async (step, call, context) => {
    const connection = specSet.connections.get(step.connection)!;
    const operation = targetConnector.operations[step.operation];
    const out = operation.request({ params: call.params, body: call.body, options: connection.options });
    const query = out.query
      ? `?${new URLSearchParams(Object.entries(out.query).map(([k, v]): [string, string] => [k, String(v)]))}`
      : '';
    const request: PlannedRequest = {
      step: step.id,
      index: context.index,
      connection: step.connection,
      operation: step.operation,
      method: out.method,
      path: out.path + query,
      body: out.body,
    };
    // The engine's stack asks the attempt right before the request goes out (a leased call's last word).
    await context.beforeSend?.();
    let response: Response;
    try {
      response = await fetch(connection.baseUrl + request.path, {
        method: out.method,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': context.idempotencyKey,
          'x-worker-pid': String(process.pid),
          authorization: 'Bearer test-secret-token',
        },
        body: out.body === undefined ? undefined : JSON.stringify(out.body),
        signal: AbortSignal.timeout(connection.timeoutMs),
      });
    } catch (error) {
      const e = error as Error;
      const timeout = e.name === 'TimeoutError' || e.name === 'AbortError';
      throw Object.assign(
        retryableError(
          timeout ? 'timeout' : 'network',
          `${out.method} ${request.path}: ${timeout ? `no answer in ${connection.timeoutMs} ms` : e.message}`,
          // fetch cannot tell whether the request was written: count it as sent, as the engine's stack does.
          { cause: error, outcomeUnknown: true },
        ),
        { request },
      );
    }
    const text = await response.text();
    const body = text ? safeJson(text) : undefined;
    if (response.ok) return { request, response: { status: response.status, headers: {}, body }, result: body };
    const details = { status: response.status, responseExcerpt: text.slice(0, 500) };
    if (response.status === 429 || response.status >= 500) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw Object.assign(
        retryableError(response.status === 429 ? 'rate-limited' : 'http-5xx', `target answered ${response.status}`, {
          ...details,
          retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
          outcomeUnknown: response.status >= 500 && response.status !== 503,
        }),
        { request },
      );
    }
    throw Object.assign(
      permanentError('validation', `target answered ${response.status}: ${text.slice(0, 200)}`, details),
      { request },
    );
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
