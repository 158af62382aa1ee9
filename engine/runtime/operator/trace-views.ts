/**
 * A trace record as a role may see it, like a dead letter (dead-letter-views.ts): the integration's `redact` paths
 * masked for everyone, in request bodies and step results and wherever the error quotes their values; a viewer sees
 * the requests' methods, the steps and the errors, with every value of the bodies, the results and the response
 * masked.
 */
import { FieldRedaction, jsonForms, redactBody, redactSecretValues, secretFieldValues } from '../../http/redact.js';
import type { FieldPath } from '../../http/redact.js';
import type { TraceRecord } from '../stores/trace-log.js';
import { MASKED, maskValues } from './dead-letter-views.js';
import type { Role } from './principal.js';

export function traceView(record: TraceRecord, role: Role, paths: readonly FieldPath[]): TraceRecord {
  const documents = [...record.requests.map((q) => q.body), record.results];
  const r = new FieldRedaction(paths, documents);
  // The secret fields' values too, wherever the error quotes them (a target naming the value it refused).
  const secrets = jsonForms(secretFieldValues(documents));
  const quoted = (value: string) => r.text(redactSecretValues(value, secrets));
  const body = (value: unknown) => (role === 'viewer' ? maskValues(value) : r.document(redactBody(value, [])));
  const text = (value: string) => (role === 'viewer' ? MASKED : quoted(value));
  return {
    ...record,
    requests: record.requests.map((q) => ({
      ...q,
      path: r.text(q.path),
      ...(q.body === undefined ? {} : { body: body(q.body) }),
    })),
    ...(record.results === undefined ? {} : { results: body(record.results) }),
    ...(record.error
      ? {
          error: {
            ...record.error,
            message: quoted(record.error.message),
            ...(record.error.response === undefined ? {} : { response: text(record.error.response) }),
          },
        }
      : {}),
  };
}
