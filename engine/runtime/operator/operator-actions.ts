/**
 * Every operator action on the cluster, in one place, each recorded in the audit trail with who, what, when and the
 * result: the operator API calls these for people and tokens, and the CLI for a local user talking to NATS.
 */
import type { AuditActor, AuditEntry, AuditLog } from '../stores/audit-log.js';
import { replayDeadLetter } from '../stores/dead-letter-replay.js';
import type { ReplayOutcome } from '../stores/dead-letter-replay.js';
import type { DeadLetterStore } from '../stores/dead-letter-store.js';
import type { EventPublisher } from '../ingest/event-publisher.js';

export interface OperatorActionDeps {
  deadLetters: DeadLetterStore;
  publisher: EventPublisher;
  audit: AuditLog;
}

export class OperatorActions {
  constructor(private readonly deps: OperatorActionDeps) {}

  get audit(): AuditLog {
    return this.deps.audit;
  }

  async replay(actor: AuditActor, id: string, options: { integration?: string } = {}): Promise<ReplayOutcome> {
    return this.#audited(
      { actor, action: 'dlq.replay', target: id },
      () => replayDeadLetter(this.deps.deadLetters, this.deps.publisher, id, options),
      (o) => o.status === 'replayed',
    );
  }

  /** Records an action refused for lack of a role (or a failed sign-in): denials are part of the trail. */
  async denied(actor: AuditActor, action: string, target: string, reason: string): Promise<void> {
    await this.deps.audit.record({ actor, action, target, result: 'denied', reason });
  }

  /** Runs an action and records it: `ok` when it did what was asked, `failed` (with the outcome) otherwise. */
  async #audited<T extends { status: string }>(
    what: Pick<AuditEntry, 'actor' | 'action' | 'target' | 'reason'>,
    run: () => Promise<T>,
    succeeded: (outcome: T) => boolean,
  ): Promise<T> {
    let outcome: T;
    try {
      outcome = await run();
    } catch (error) {
      await this.deps.audit.record({ ...what, result: 'failed', detail: { error: (error as Error).message } });
      throw error;
    }
    const ok = succeeded(outcome);
    await this.deps.audit.record({
      ...what,
      result: ok ? 'ok' : 'failed',
      ...(ok ? {} : { detail: { outcome: outcome.status } }),
    });
    return outcome;
  }
}
