/**
 * Every operator action on the cluster, in one place, each recorded in the audit trail with who, what, when and the
 * result: the operator API calls these for people and tokens, and the CLI for a local user talking to NATS.
 */
import type { AuditActor, AuditEntry, AuditLog } from '../stores/audit-log.js';
import { replayDeadLetter } from '../stores/dead-letter-replay.js';
import type { ReplayOutcome } from '../stores/dead-letter-replay.js';
import type { DeadLetter, DeadLetterStore } from '../stores/dead-letter-store.js';
import type { EventPublisher } from '../ingest/event-publisher.js';
import type { TraceLog } from '../stores/trace-log.js';
import { newerDelivery } from './replay-staleness.js';
import { ENRICHMENT_REFUSED } from './replay-enrichment-message.js';
import type { StepsRerun } from './replay-steps.js';
import type { NewerDelivery } from './replay-staleness.js';
import type { PauseInfo } from '../control/pause-control.js';
import { actorLabel } from './principal.js';

interface OperatorActionDeps {
  deadLetters: DeadLetterStore;
  publisher: EventPublisher;
  audit: AuditLog;
  /** Each record's delivery history, for the staleness check before a replay. */
  trace?: TraceLog;
  /** Whether an integration is in the active spec set (an engine knows; the CLI on NATS does not). */
  isActive?: (integration: string) => boolean;
  /** Steps the entry's event finished that a replay would run again (replay-steps.ts; an engine knows). */
  stepsRerun?: (entry: DeadLetter) => Promise<StepsRerun>;
  /** Whether (and by whom, when, why) an integration is paused: `junction pause`, the control bucket. */
  paused?: (integration: string) => PauseInfo | undefined | Promise<PauseInfo | undefined>;
}

/** The outcome of resolving or discarding one dead letter. */
export type DeadLetterChange =
  | { status: 'resolved' | 'discarded'; entry: DeadLetter }
  | { status: 'not-found' | 'changed-meanwhile' | `already-${string}` }
  /** A replay claimed it (it may have been sent): resolving would record it handled without one. */
  | { status: 'replay-started'; at: string };

export class OperatorActions {
  constructor(private readonly deps: OperatorActionDeps) {}

  get audit(): AuditLog {
    return this.deps.audit;
  }

  /**
   * Replays a dead letter, unless a later event of its key was delivered since (replaying would write older data
   * over newer): then the outcome is `stale`, and `force` replays anyway (audited as forced). An entry of an
   * integration the active spec set lacks is refused (`integration-missing`): no worker would take its event. So is
   * one whose event finished steps a replay would run again, a create making a second record (`steps-changed`: the
   * active set renamed or removed them, or their checkpoints expired), unless forced. One of a paused integration is
   * refused, forced or not (`integration-paused`): its event would wait behind the pause while the entry said
   * replayed; resume the integration, then replay. One whose enrichment read the source refused is refused unless
   * forced (`enrichment-refused`): the replay would send the change without the fields the read adds.
   */
  async replay(
    actor: AuditActor,
    id: string,
    options: { integration?: string; force?: boolean } = {},
  ): Promise<ReplayOutcome> {
    return this.#audited(
      { actor, action: 'dlq.replay', target: id },
      async (): Promise<ReplayOutcome> => {
        const { trace, isActive, stepsRerun, paused } = this.deps;
        const found = await this.deps.deadLetters.get(id, options.integration);
        if (found && found.entry.status === 'open') {
          // Before anything else: no fix of the spec or the org makes this replay whole (the read is not re-run).
          if (!options.force && found.entry.error.code === ENRICHMENT_REFUSED)
            return { status: 'enrichment-refused', entry: found.entry };
          if (isActive && !isActive(found.entry.integration))
            return { status: 'integration-missing', entry: found.entry };
          const pause = await paused?.(found.entry.integration);
          if (pause) return { status: 'integration-paused', entry: found.entry, pause };
          const newer = !options.force && trace && (await newerDelivery(trace, found.entry));
          if (newer) return { status: 'stale', entry: found.entry, newer };
          const rerun = !options.force && stepsRerun ? await stepsRerun(found.entry) : undefined;
          if (rerun && rerun.renamed.length + rerun.expired.length > 0)
            return { status: 'steps-changed', entry: found.entry, steps: rerun.renamed, expired: rerun.expired };
        }
        return replayDeadLetter(this.deps.deadLetters, this.deps.publisher, id, options);
      },
      (o) => o.status === 'replayed',
      (o) => ({
        ...(options.force ? { forced: true } : {}),
        ...(o.status === 'stale'
          ? { newerEvent: o.newer.eventId, newerDeliveredAt: o.newer.deliveredAt, newerFailedAt: o.newer.lastFailedAt }
          : {}),
        ...(o.status === 'steps-changed'
          ? {
              ...(o.steps.length > 0 ? { stepsGone: o.steps } : {}),
              ...(o.expired.length > 0 ? { stepsExpired: o.expired } : {}),
            }
          : {}),
        ...(o.status === 'integration-paused' ? { pausedBy: actorLabel(o.pause.by) } : {}),
      }),
    );
  }

  /** The later delivery a replay of this entry would overwrite, if any (shown before replaying). */
  async staleness(entry: DeadLetter): Promise<NewerDelivery | undefined> {
    return entry.status === 'open' && this.deps.trace ? newerDelivery(this.deps.trace, entry) : undefined;
  }

  /** Marks a dead letter handled without a replay (fixed by hand, say), with the operator's reason. */
  resolve(actor: AuditActor, id: string, reason: string): Promise<DeadLetterChange> {
    return this.#audited(
      { actor, action: 'dlq.resolve', target: id, reason },
      async () => {
        const found = await this.deps.deadLetters.get(id);
        if (!found) return { status: 'not-found' };
        if (found.entry.status !== 'open') return { status: `already-${found.entry.status}` };
        if (found.entry.replayStartedAt) return { status: 'replay-started', at: found.entry.replayStartedAt };
        const marked = await this.deps.deadLetters.markResolved(found.entry, found.revision, actorLabel(actor), reason);
        return marked ? { status: 'resolved', entry: found.entry } : { status: 'changed-meanwhile' };
      },
      (o) => o.status === 'resolved',
      describeEntry,
    );
  }

  /** Deletes a dead letter and its customer data for good; the audit entry keeps its id, key and the reason. */
  discard(actor: AuditActor, id: string, reason: string): Promise<DeadLetterChange> {
    return this.#audited(
      { actor, action: 'dlq.discard', target: id, reason },
      async () => {
        const found = await this.deps.deadLetters.get(id);
        if (!found) return { status: 'not-found' };
        await this.deps.deadLetters.discard(found.entry);
        return { status: 'discarded', entry: found.entry };
      },
      (o) => o.status === 'discarded',
      describeEntry,
    );
  }

  /**
   * Discards every dead letter of an integration and/or created before a time. One audit entry says which (id,
   * integration and key, as a discard's does), also when the purge stopped part way: what it deleted is gone.
   */
  async purge(
    actor: AuditActor,
    filter: { integration?: string; before?: Date; status?: DeadLetter['status'] },
    reason: string,
  ): Promise<{ status: 'purged'; ids: string[] }> {
    const before = filter.before ? `before ${filter.before.toISOString()}` : '';
    const target = [filter.integration ?? '*', before, filter.status ? `status ${filter.status}` : '']
      .filter(Boolean)
      .join(' ');
    // Where each was, never its content: a purge of thousands holds a page of entries at a time, not all of them.
    const gone: Pick<DeadLetter, 'id' | 'integration' | 'key'>[] = [];
    const record = (result: 'ok' | 'failed', extra: Record<string, unknown> = {}) =>
      this.deps.audit.record({
        actor,
        action: 'dlq.purge',
        target,
        reason,
        result,
        detail: { ...extra, count: gone.length, ...purgedEntries(gone) },
      });
    try {
      // The entries there are when it starts, a page at a time (a purged key's marker is a later write: not met again).
      const until = await this.deps.deadLetters.lastWritten();
      for (let after = 0; ;) {
        const { integration, status } = filter;
        const page = await this.deps.deadLetters.page({ integration, status, after, until, limit: 500 });
        for (const entry of page.entries) {
          if (filter.before && Date.parse(entry.createdAt) >= filter.before.getTime()) continue;
          await this.deps.deadLetters.discard(entry);
          gone.push({ id: entry.id, integration: entry.integration, key: entry.key });
        }
        if (page.next === null) break;
        after = page.next;
      }
    } catch (error) {
      await record('failed', { error: (error as Error).message });
      throw error;
    }
    await record('ok');
    return { status: 'purged', ids: gone.map((e) => e.id) };
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
    detail: (outcome: T) => Record<string, unknown> = () => ({}),
  ): Promise<T> {
    let outcome: T;
    try {
      outcome = await run();
    } catch (error) {
      await this.deps.audit.record({ ...what, result: 'failed', detail: { error: (error as Error).message } });
      throw error;
    }
    const ok = succeeded(outcome);
    const extra = { ...detail(outcome), ...(ok ? {} : { outcome: outcome.status }) };
    await this.deps.audit.record({
      ...what,
      result: ok ? 'ok' : 'failed',
      ...(Object.keys(extra).length > 0 ? { detail: extra } : {}),
    });
    return outcome;
  }
}

/** Entries a purge names in its audit entry; past that the count says how many more (an audit entry is one message). */
const PURGE_AUDIT_ENTRIES = 1_000;

/** What the audit trail keeps about purged dead letters: where each was, never its content. */
function purgedEntries(gone: readonly Pick<DeadLetter, 'id' | 'integration' | 'key'>[]): Record<string, unknown> {
  const entries = gone.slice(0, PURGE_AUDIT_ENTRIES).map(({ id, integration, key }) => ({ id, integration, key }));
  return gone.length > PURGE_AUDIT_ENTRIES ? { entries, unnamed: gone.length - PURGE_AUDIT_ENTRIES } : { entries };
}

/** What the audit trail keeps about a dead letter that was acted on: where it was, never its content. */
function describeEntry(outcome: DeadLetterChange): Record<string, unknown> {
  return 'entry' in outcome ? { integration: outcome.entry.integration, key: outcome.entry.key } : {};
}
