/**
 * Pausing an integration cluster-wide: `paused.<integration>` in the control bucket. Every engine follows the
 * bucket and stops pulling the integration's events while the key exists (in-flight events finish), and starts
 * again when it is removed. Ingest is not affected: webhooks and polls keep storing events, which wait in the stream.
 */
import type { KV } from '@nats-io/kv';
import { listLiveEntries, readLiveEntry } from '../broker/kv-listing.js';
import type { AuditActor } from '../stores/audit-log.js';

export interface PauseInfo {
  by: AuditActor;
  at: string;
  reason?: string;
}

const key = (integration: string) => `paused.${integration}`;

/** Pauses (info) or resumes (undefined) an integration; returns whether it was paused before. */
export async function setPaused(control: KV, integration: string, info: PauseInfo | undefined): Promise<boolean> {
  const before = (await readLiveEntry(control, key(integration))) !== undefined;
  if (info) await control.put(key(integration), JSON.stringify(info));
  else if (before) await control.delete(key(integration));
  return before;
}

/**
 * Whether an integration is paused, read from the bucket now (a replay asks this: a pause made a moment ago may not
 * have reached a process's watch yet).
 */
export async function readPause(control: KV, integration: string): Promise<PauseInfo | undefined> {
  return (await readLiveEntry(control, key(integration)))?.json<PauseInfo>();
}

/** The paused integrations as one process follows them. */
export class PauseControl {
  readonly #paused = new Map<string, PauseInfo>();
  #stop?: () => void;

  constructor(private readonly control: KV) {}

  /** Loads the paused set, then follows it; `onChange` runs for every later pause or resume. */
  async start(onChange: (integration: string, paused: boolean) => void): Promise<void> {
    for (const entry of await listLiveEntries(this.control, 'paused.*'))
      this.#paused.set(entry.key.slice('paused.'.length), entry.json<PauseInfo>());
    const watch = await this.control.watch({ key: 'paused.*' });
    this.#stop = () => watch.stop();
    void (async () => {
      for await (const entry of watch) {
        const integration = entry.key.slice('paused.'.length);
        const paused = entry.operation === 'PUT' && entry.length > 0;
        const was = this.#paused.has(integration);
        if (paused) this.#paused.set(integration, entry.json<PauseInfo>());
        else this.#paused.delete(integration);
        if (paused !== was) onChange(integration, paused);
      }
    })();
  }

  isPaused(integration: string): boolean {
    return this.#paused.has(integration);
  }

  info(integration: string): PauseInfo | undefined {
    return this.#paused.get(integration);
  }

  stop(): void {
    this.#stop?.();
  }
}
