/**
 * The operator API's read-only routes for the operator features (viewer role):
 *   GET /api/trace?integration=&key=   every traced attempt of one record, and its dead letters
 *   GET /api/reconcile                 the latest reconcile report of each integration (values masked by role)
 */
import type { FieldPath } from '../../http/redact.js';
import type { Role } from './principal.js';
import { deadLetterView } from './dead-letter-views.js';
import { INTEGRATION_NAME } from '../stores/dead-letter-id.js';
import type { DeadLetterStore } from '../stores/dead-letter-store.js';
import type { TraceLog } from '../stores/trace-log.js';
import { traceView } from './trace-views.js';
import { reconcileView } from './reconcile-views.js';
import type { StoredReconcileReport } from '../control/reconcile-reports.js';

interface OpsApi {
  trace: TraceLog;
  deadLetters: DeadLetterStore;
  reconcileReports: () => Promise<StoredReconcileReport[]>;
  /** An integration's `redact` paths in the active spec set. */
  redactPaths?: (integration: string) => readonly FieldPath[];
}

/** Answers `GET` routes of the operator features: `[status, body]`, or undefined when no route matches. */
export async function opsRoute(
  api: OpsApi,
  method: string,
  url: URL,
  role: Role,
): Promise<[number, unknown] | undefined> {
  if (method !== 'GET') return undefined;
  if (url.pathname === '/api/reconcile') {
    const reports = await api.reconcileReports();
    const paths = (integration: string) => api.redactPaths?.(integration) ?? [];
    return [200, { reports: reports.map((r) => reconcileView(r, role, paths(r.integration))) }];
  }
  if (url.pathname !== '/api/trace') return undefined;
  const integration = url.searchParams.get('integration') ?? '';
  const key = url.searchParams.get('key') ?? '';
  if (!INTEGRATION_NAME.test(integration) || key === '' || key.length > 500)
    return [400, { error: 'bad-query', message: 'integration (a spec name) and key (the record key) are required' }];
  return [200, await recordTrace(api, integration, key, role)];
}

/**
 * A record's history: the traced attempts, oldest first, and its dead letters, as `role` may see them (a viewer sees
 * the shape and the errors, no values; everyone sees the integration's `redact` paths masked). `typed` is the key as
 * the vendor's data has it; the engine knows the record by that key trimmed of surrounding blanks (an event's key is
 * what its headers carry, and nats.js trims header values: engine/runtime/ingest/event-publisher.ts, `headerForm`),
 * so a padded key finds its record.
 */
export async function recordTrace(
  api: Pick<OpsApi, 'trace' | 'deadLetters' | 'redactPaths'>,
  integration: string,
  typed: string,
  role: Role = 'operator',
) {
  const key = typed.trim();
  const [attempts, deadLetters] = await Promise.all([
    api.trace.read(integration, key),
    api.deadLetters.list({ integration }),
  ]);
  const paths = api.redactPaths?.(integration) ?? [];
  return {
    integration,
    key,
    attempts: attempts.map((a) => traceView(a, role, paths)),
    deadLetters: deadLetters.filter((d) => d.key === key).map((d) => deadLetterView(d, role, paths)),
  };
}
