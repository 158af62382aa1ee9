/** Runs `junction <args>` in this process (faster than a child), capturing stdout, stderr and the exit code. */
import { vi } from 'vitest';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { main } from '../../engine/cli/main.js';
import { AUDIT_STREAM, AuditLog } from '../../engine/runtime/stores/audit-log.js';
import type { AuditEntry } from '../../engine/runtime/stores/audit-log.js';

export interface InProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function junction(...args: string[]): Promise<InProcessResult> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'junction', ...args]);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
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
