/**
 * Where `junction dlq` acts: a running engine's operator API (`--url` or `$JUNCTION_URL`, with an API token), or
 * NATS directly (`--nats`, or the embedded server here). Both go through the engine's operator actions, so both are
 * audited: as the token over the API, as the local user (actor kind `cli`) over NATS.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { BUCKET_NAMES } from '../../runtime/broker/provision.js';
import { EVENTS_STREAM } from '../../runtime/broker/subjects.js';
import { EventPublisher } from '../../runtime/ingest/event-publisher.js';
import { OperatorActions } from '../../runtime/operator/operator-actions.js';
import { AuditLog, provisionAuditStream } from '../../runtime/stores/audit-log.js';
import { TraceLog } from '../../runtime/stores/trace-log.js';
import { DeadLetterStore, redactedView } from '../../runtime/stores/dead-letter-store.js';
import type { DeadLetter } from '../../runtime/stores/dead-letter-store.js';
import type { DeadLetterSummary } from '../../runtime/stores/dead-letter-index.js';
import { readPause } from '../../runtime/control/pause-control.js';
import { pausedReplayMessage } from '../../runtime/operator/replay-paused-message.js';
import { cliActor, withNats } from './cli-nats.js';
import { callOperator, operatorTarget } from './operator-client.js';
import type { OperatorTarget } from './operator-client.js';

export interface DlqBackend {
  /** Entries oldest first: summaries over the API, whole entries (secrets redacted) over NATS. */
  list(filter: { integration?: string; status?: DeadLetter['status'] }): Promise<DeadLetterSummary[]>;
  get(id: string): Promise<DeadLetter | undefined>;
  replay(
    id: string,
    options?: { integration?: string; force?: boolean },
  ): Promise<{
    status: string;
    seq?: number;
    newer?: { eventId: string; deliveredAt?: string };
    /** `steps-changed`: the finished steps the active specs no longer have, and those whose checkpoints expired. */
    steps?: string[];
    expired?: string[];
    message?: string;
  }>;
  /** `resolved`, `discarded`, `not-found` or why not (`already-replayed`…). */
  change(verb: 'resolve' | 'discard', id: string, reason: string): Promise<{ status: string; message?: string }>;
  /** The ids purged. */
  purge(filter: { integration?: string; before?: Date }, reason: string): Promise<string[]>;
  /** The integrations that run on the cluster (those with consumers on the events stream). */
  integrations(): Promise<string[]>;
}

export interface DlqTargetOptions {
  url?: string;
  token?: string;
  nats?: string;
}

/** Runs `work` against the API when a URL is given (and `--nats` is not), else against NATS. */
export function withDlqBackend(opts: DlqTargetOptions, work: (backend: DlqBackend) => Promise<void>): Promise<void> {
  const target = operatorTarget(opts);
  return target && !opts.nats ? work(apiBackend(target)) : withNatsBackend(opts.nats, work);
}

function apiBackend(target: OperatorTarget): DlqBackend {
  return {
    list: async (filter) => {
      // Every page, oldest first like the NATS listing.
      const entries: DeadLetterSummary[] = [];
      for (let cursor: string | null | undefined; cursor !== null;) {
        const query = new URLSearchParams({ limit: '500', ...(cursor ? { cursor } : {}) });
        for (const [k, v] of Object.entries(filter)) if (v) query.set(k, v);
        const page = await callOperator<{ entries: DeadLetterSummary[]; next: string | null }>(
          target,
          'GET',
          `/api/dlq?${query}`,
        );
        entries.push(...page.body.entries);
        cursor = page.body.next;
      }
      return entries.reverse();
    },
    get: async (id) => {
      const res = await callOperator<DeadLetter>(target, 'GET', `/api/dlq/${encodeURIComponent(id)}`);
      return res.status === 200 ? res.body : undefined;
    },
    replay: async (id, options) => {
      const path = `/api/dlq/${encodeURIComponent(id)}/replay${options?.force ? '?force=1' : ''}`;
      const res = await callOperator<{
        seq?: number;
        error?: string;
        message?: string;
        newer?: { eventId: string; deliveredAt?: string };
        steps?: string[];
        expired?: string[];
      }>(target, 'POST', path);
      if (res.status === 202) return { status: 'replayed', seq: res.body.seq };
      return {
        status: res.status === 404 ? 'not-found' : (res.body.error ?? String(res.status)),
        newer: res.body.newer,
        steps: res.body.steps,
        expired: res.body.expired,
        // The same words as over NATS: the entry's id is on the CLI's line already.
        ...(res.body.error === 'integration-paused'
          ? { message: res.body.message?.replace(`dead letter ${id} was not replayed: `, '') }
          : {}),
      };
    },
    change: async (verb, id, reason) => {
      const path = `/api/dlq/${encodeURIComponent(id)}/${verb}`;
      const res = await callOperator<{ error?: string }>(target, 'POST', path, { reason });
      if (res.status === 200) return { status: verb === 'resolve' ? 'resolved' : 'discarded' };
      return { status: res.status === 404 ? 'not-found' : (res.body.error ?? String(res.status)) };
    },
    purge: async (filter, reason) => {
      const body = { reason, integration: filter.integration, before: filter.before?.toISOString() };
      return (await callOperator<{ purged: string[] }>(target, 'POST', '/api/dlq/purge', body)).body.purged;
    },
    integrations: async () =>
      (await callOperator<{ integrations: { name: string }[] }>(target, 'GET', '/api/status')).body.integrations.map(
        (i) => i.name,
      ),
  };
}

function withNatsBackend(natsFlag: string | undefined, work: (backend: DlqBackend) => Promise<void>): Promise<void> {
  return withNats(natsFlag, async (nc) => {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const kvm = new Kvm(js);
    const store = new DeadLetterStore(await kvm.open(BUCKET_NAMES.dlq, { bindOnly: true }));
    const meta = await kvm.open(BUCKET_NAMES.meta, { bindOnly: true });
    // Missing only on a cluster no engine has provisioned yet: then nothing is paused.
    const control = await kvm.open(BUCKET_NAMES.control, { bindOnly: true }).catch(() => undefined);
    const partitions = Number((await meta.get('partitions'))?.string()) || 16;
    await provisionAuditStream(jsm);
    const actions = new OperatorActions({
      deadLetters: store,
      publisher: new EventPublisher(js, () => partitions, 5_000),
      audit: new AuditLog(js, jsm),
      trace: new TraceLog(js, jsm),
      paused: (integration) => (control ? readPause(control, integration) : undefined),
    });
    const actor = cliActor();
    await work({
      list: async (filter) => (await store.list(filter)).map(redactedView),
      get: async (id) => {
        const found = await store.get(id);
        return found && redactedView(found.entry);
      },
      replay: async (id, options) => {
        const outcome = await actions.replay(actor, id, options);
        return outcome.status === 'integration-paused'
          ? { ...outcome, message: pausedReplayMessage(outcome.entry.integration, outcome.pause) }
          : outcome;
      },
      change: (verb, id, reason) =>
        verb === 'resolve' ? actions.resolve(actor, id, reason) : actions.discard(actor, id, reason),
      purge: async (filter, reason) => (await actions.purge(actor, filter, reason)).ids,
      integrations: async () => {
        // Each integration has a consumer per partition, `<integration>-p<n>`: partition 0's names it once.
        const names: string[] = [];
        for await (const c of jsm.consumers.list(EVENTS_STREAM)) {
          const name = /^(.+)-p0$/.exec(c.name)?.[1];
          if (name) names.push(name);
        }
        return names;
      },
    });
  });
}
