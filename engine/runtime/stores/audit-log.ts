/**
 * The audit trail: one JetStream message per operator action (replay, discard, pause, xref edit, sign-in...), who
 * did it, what, when and with what result. A stream rather than KV: entries are only ever appended, and the broker
 * keeps them in order across every process and CLI that acts on the cluster.
 */
import { DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { addStreamUnlessThere } from '../broker/add-stream.js';

export const AUDIT_STREAM = 'JUNCTION_AUDIT';
const AUDIT_PREFIX = 'junction.audit';

/** Who acted: a signed-in person, an API token, the CLI run by a local user, or the engine itself. */
export interface AuditActor {
  kind: 'user' | 'token' | 'cli' | 'engine';
  /** E-mail or subject of a person, token name, OS user of the CLI, or the engine's worker id. */
  id: string;
}

export interface AuditEntry {
  at: string;
  actor: AuditActor;
  /** Dotted verb, e.g. `dlq.replay`, `dlq.discard`, `integration.pause`, `xref.set`, `auth.sign-in`. */
  action: string;
  /** What it acted on, e.g. a dead-letter id or an integration name. */
  target: string;
  result: 'ok' | 'denied' | 'failed';
  /** A reason given by the operator, or why it failed. */
  reason?: string;
  detail?: Record<string, unknown>;
}

interface AuditLogOptions {
  /** Stream replicas (3 on a cluster). @default 1 */
  replicas?: number;
  /** How long entries are kept. @default 365 days */
  maxAgeMs?: number;
}

/** Creates the audit stream when it is missing; safe to run from many processes at once. */
export async function provisionAuditStream(jsm: JetStreamManager, options: AuditLogOptions = {}): Promise<void> {
  const config = {
    name: AUDIT_STREAM,
    subjects: [`${AUDIT_PREFIX}.>`],
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    storage: StorageType.File,
    num_replicas: options.replicas ?? 1,
    max_age: nanos(options.maxAgeMs ?? 365 * 24 * 3600_000),
  };
  await addStreamUnlessThere(jsm, config);
}

export class AuditLog {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  /** Appends an entry; resolves once the broker has stored it. */
  async record(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<AuditEntry> {
    const stored: AuditEntry = { at: new Date().toISOString(), ...entry };
    await this.js.publish(`${AUDIT_PREFIX}.${subjectToken(stored.action)}`, JSON.stringify(stored));
    return stored;
  }

  /** The newest entries first, at most `limit`, optionally only those older than stream sequence `before`. */
  async recent(options: { limit?: number; before?: number } = {}): Promise<{ seq: number; entry: AuditEntry }[]> {
    const limit = Math.max(1, Math.min(options.limit ?? 50, 500));
    const info = await this.jsm.streams.info(AUDIT_STREAM);
    const out: { seq: number; entry: AuditEntry }[] = [];
    let seq = Math.min(info.state.last_seq, (options.before ?? Infinity) - 1);
    for (; seq >= info.state.first_seq && out.length < limit; seq--) {
      const message = await this.jsm.streams.getMessage(AUDIT_STREAM, { seq }).catch(() => null);
      if (message) out.push({ seq, entry: message.json<AuditEntry>() });
    }
    return out;
  }
}

/** One subject token per action: dots become dashes, anything else a broker would reject becomes `_`. */
function subjectToken(action: string): string {
  return action.replace(/\./g, '-').replace(/[^A-Za-z0-9_-]/g, '_') || 'unknown';
}
