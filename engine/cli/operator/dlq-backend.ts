/**
 * Where `junction dlq` acts: a running engine's operator API (`--url` or `$JUNCTION_URL`, with an API token), or
 * NATS directly (`--nats`, or the embedded server here). Both go through the engine's operator actions, so both are
 * audited: as the token over the API, as the local user (actor kind `cli`) over NATS.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { BUCKET_NAMES } from '../../runtime/broker/provision.js';
import { EventPublisher } from '../../runtime/ingest/event-publisher.js';
import { OperatorActions } from '../../runtime/operator/operator-actions.js';
import { AuditLog, provisionAuditStream } from '../../runtime/stores/audit-log.js';
import { TraceLog } from '../../runtime/stores/trace-log.js';
import { DeadLetterStore, redactedView } from '../../runtime/stores/dead-letter-store.js';
import type { DeadLetter } from '../../runtime/stores/dead-letter-store.js';
import type { DeadLetterSummary } from '../../runtime/stores/dead-letter-index.js';
import { readPause } from '../../runtime/control/pause-control.js';
import { enrichmentRefusedMessage } from '../../runtime/operator/replay-enrichment-message.js';
import { pausedReplayMessage } from '../../runtime/operator/replay-paused-message.js';
import { cliActor, withNats } from './cli-nats.js';
import { clusterIntegrations } from './known-integration.js';
import { callOperator, operatorTarget } from './operator-client.js';
import { UsageError } from '../usage-error.js';
import type { OperatorTarget } from './operator-client.js';

/** Which entries a page holds: `after` a previous page's `next`, and (a bulk replay) none written after `until`. */
interface DlqPageFilter {
  integration?: string;
  status?: DeadLetter['status'];
  after?: string;
  until?: string;
  limit: number;
}

export interface DlqBackend {
  /**
   * One page of entries, oldest first, and the cursor of the next (null on the last): summaries over the API (by
   * creation time), whole entries (secrets redacted) over NATS (by last write). Only the page is held.
   */
  page(filter: DlqPageFilter): Promise<{ entries: DeadLetterSummary[]; next: string | null }>;
  /** A bulk replay's `until`, taken when it starts: the entries written later (its own failed replays) are not met. */
  bound(): Promise<string>;
  /** The integrations that have dead letters. */
  lettered(): Promise<string[]>;
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
  purge(
    filter: { integration?: string; before?: Date; status?: DeadLetter['status'] },
    reason: string,
  ): Promise<string[]>;
  /** The integrations that run on the cluster (those with retry or first-partition consumers on the events stream). */
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
  const page = async (filter: DlqPageFilter) => {
    const query = new URLSearchParams({ order: 'oldest', limit: String(Math.min(filter.limit, 500)) });
    if (filter.after) query.set('cursor', filter.after);
    if (filter.integration) query.set('integration', filter.integration);
    if (filter.status) query.set('status', filter.status);
    // A cursor that is not one is answered 400, which callOperator reports with the API's message.
    const res = await callOperator<{ entries: DeadLetterSummary[]; next: string | null }>(
      target,
      'GET',
      `/api/dlq?${query}`,
    );
    // Entries created after a bulk replay began (its own failed replays among them) end it.
    const until = filter.until;
    const entries = until ? res.body.entries.filter((e) => e.createdAt <= until) : res.body.entries;
    return { entries, next: entries.length < res.body.entries.length ? null : res.body.next };
  };
  return {
    page,
    bound: async () => new Date().toISOString(),
    lettered: async () => {
      const names = new Set<string>();
      for (let after: string | null | undefined; after !== null;) {
        const next = await page({ limit: 500, ...(after ? { after } : {}) });
        for (const e of next.entries) names.add(e.integration);
        after = next.next;
      }
      return [...names];
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
        ...(res.body.error === 'integration-paused' || res.body.error === 'enrichment-refused'
          ? {
              message: res.body.message
                ?.replace(`dead letter ${id} was not replayed: `, '')
                .replace(/ \(\?force=1\)$/, ' (--force)'),
            }
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
      const { integration, status } = filter;
      const body = { reason, integration, before: filter.before?.toISOString(), status };
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
      page: async (filter) => {
        const at = (cursor: string | undefined, option: string) => {
          if (cursor === undefined) return undefined;
          if (!/^\d{1,15}$/.test(cursor))
            throw new UsageError(`${option} ${JSON.stringify(cursor)} is not a cursor: give the number a page printed`);
          return Number(cursor);
        };
        const { after, until, ...rest } = filter;
        const page = await store.page({ ...rest, after: at(after, '--after'), until: at(until, 'until') });
        return { entries: page.entries.map(redactedView), next: page.next === null ? null : String(page.next) };
      },
      bound: async () => String(await store.lastWritten()),
      lettered: () => store.integrations(),
      get: async (id) => {
        const found = await store.get(id);
        return found && redactedView(found.entry);
      },
      replay: async (id, options) => {
        const outcome = await actions.replay(actor, id, options);
        if (outcome.status === 'enrichment-refused')
          return { ...outcome, message: `${enrichmentRefusedMessage(outcome.entry)} (--force)` };
        return outcome.status === 'integration-paused'
          ? { ...outcome, message: pausedReplayMessage(outcome.entry.integration, outcome.pause) }
          : outcome;
      },
      change: (verb, id, reason) =>
        verb === 'resolve' ? actions.resolve(actor, id, reason) : actions.discard(actor, id, reason),
      purge: async (filter, reason) => (await actions.purge(actor, filter, reason)).ids,
      // By their retry consumers too: the partition consumers are gone after a broker restart.
      integrations: () => clusterIntegrations(jsm),
    });
  });
}
