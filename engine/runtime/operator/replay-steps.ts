/**
 * Whether a replay would run again a step an earlier attempt of the event finished. A replay keeps the event's id, so
 * it resumes from the checkpoints its attempts left, which are keyed by step id and kept as long as the ledger (7
 * days by default). Two ways to lose them: a commit that renamed or removed such a step (a create `order` now `head`)
 * leaves its checkpoint unread, and a dead letter replayed after the checkpoints expired (dead letters are kept 30
 * days) has none. Either way the replay sends the step again, and a create makes a second record (its `find` looks
 * up only a call marked as sent under its own id).
 */
import type { KV } from '@nats-io/kv';
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import { listLiveEntries } from '../broker/kv-listing.js';
import { keyDigest } from '../broker/subjects.js';
import type { DeadLetter } from '../stores/dead-letter-store.js';

/** Finished steps a replay could not resume after: `renamed` (not in `integration`), `expired` (no checkpoint). */
export interface StepsRerun {
  renamed: string[];
  expired: string[];
}

export async function stepsReplayWouldRerun(
  checkpoints: KV,
  entry: DeadLetter,
  integration: CompiledIntegration | undefined,
): Promise<StepsRerun> {
  if (!integration) return { renamed: [], expired: [] };
  // The worker's key of an event's checkpoints: `<integration>.<digest of "<integration>:<event id>">.<call key>`.
  const prefix = `${entry.integration}.${keyDigest(`${entry.integration}:${entry.eventId}`)}.`;
  const entries = await listLiveEntries(checkpoints, `${prefix}>`);
  // A call key is the step id, or `<step id>.<element>` for a for_each step; `_pin` is the pinned commit.
  const kept = new Set(entries.map((e) => e.key.slice(prefix.length).split('.')[0]).filter((s) => s !== '_pin'));
  const ids = new Set(integration.steps.map((s) => s.id));
  return {
    renamed: [...kept].filter((s) => !ids.has(s)).sort(),
    // Recorded in the entry when it was written: the finished creates and actions (absent in older entries).
    expired: (entry.finished ?? []).filter((s) => ids.has(s) && !kept.has(s)).sort(),
  };
}
