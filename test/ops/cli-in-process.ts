/** The CLI run in this process with its arguments spread, and the audit trail, for the ops tests. */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { AUDIT_STREAM, AuditLog } from '../../engine/runtime/stores/audit-log.js';
import type { AuditEntry } from '../../engine/runtime/stores/audit-log.js';
import { junctionInProcess } from '../helpers/junction-in-process.js';
import type { InProcessResult } from '../helpers/junction-in-process.js';

/** `junction <args>` in this process: its exit code, stdout and stderr. */
export function junction(...args: string[]): Promise<InProcessResult> {
  return junctionInProcess(args);
}

/** The audit trail, oldest first (without the `at` stamps, which tests cannot know). */
export async function auditTrail(natsUrl: string): Promise<Omit<AuditEntry, 'at'>[]> {
  const nc = await connect({ servers: natsUrl, noAsyncTraces: true });
  try {
    const jsm = await jetstreamManager(nc);
    if (!(await jsm.streams.info(AUDIT_STREAM).catch(() => undefined))) return [];
    const entries = await new AuditLog(jsm.jetstream(), jsm).recent({ limit: 500 });
    return entries.reverse().map(({ entry: { at: _at, ...rest } }) => rest);
  } finally {
    await nc.close();
  }
}
