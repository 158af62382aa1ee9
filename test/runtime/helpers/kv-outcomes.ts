/**
 * What tests comparing two ways of calling KV (nats.js's own and the engine's) compare: what the engine reads off an
 * entry, and a call's value or error.
 */
import type { KvEntry } from '@nats-io/kv';

/** What the engine reads off an entry. */
export function seen(entry: KvEntry | null) {
  return (
    entry && {
      key: entry.key,
      operation: entry.operation,
      revision: entry.revision,
      length: entry.length,
      value: entry.string(),
    }
  );
}

/** The outcome of a call: its value, or its error's name and message. */
export function outcome<T>(call: () => Promise<T>): Promise<T | string> {
  return call().catch((error: Error) => `${error.name}: ${error.message}`);
}
