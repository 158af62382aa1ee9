/**
 * The dry run's innermost transport: it answers each call from the test case's recorded responses, keyed by step id
 * (and element index for `for_each` steps). Everything above it — connectors, auth, classification — is the real
 * code path. OAuth token requests get a placeholder token.
 */
import type { Transport } from '../http/transport.js';
import { ConnectorError } from '../sdk/errors.js';

export interface RecordedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/** Recorded responses by step id: one response, or a list for `for_each` steps (one per element). */
export type RecordedResponses = Record<string, RecordedResponse | RecordedResponse[]>;

export function createFixtureTransport(responses: RecordedResponses): Transport {
  return async (request, context) => {
    if (/oauth2?\/token/.test(new URL(request.url).pathname)) {
      return {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: 'dry-run-token', token_type: 'Bearer', expires_in: 3600 }),
      };
    }
    const step = context.stepId ?? '?';
    const recorded = responses[step];
    const response = Array.isArray(recorded) ? recorded[context.index ?? 0] : recorded;
    if (!response) {
      const where = context.index === undefined ? step : `${step}[${context.index}]`;
      throw new ConnectorError(
        'no-recorded-response',
        `no recorded response for step ${where}; add it under \`responses.${step}\`${Array.isArray(recorded) || context.index !== undefined ? ' (a list, one per element)' : ''} or record one with \`junction record\``,
        'permanent',
      );
    }
    const body =
      response.body === undefined
        ? ''
        : typeof response.body === 'string'
          ? response.body
          : JSON.stringify(response.body);
    return {
      status: response.status,
      headers: { 'content-type': 'application/json', ...lower(response.headers) },
      body,
    };
  };
}

function lower(headers: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
