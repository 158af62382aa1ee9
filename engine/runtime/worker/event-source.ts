/**
 * The source record behind an event of an integration with a reverse partner (echo-check.ts), known as
 * `<connection>/<event key>` when the spec names the source connection (schedule, stream, `read`). Asked only when
 * one of the event's writes would go out: a record none of our integrations wrote to cannot send us an echo, so its
 * event is kept as what is known of it, with no read; a record we wrote to may be read again through `read.get`
 * (at most once per attempt), since its event may be the stale echo of one of our writes.
 */
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import { isRecord, recordSeen } from '../../execute/echo-check.js';
import type { EventSource } from '../../execute/echo-check.js';
import type { ExecutionState, StepInvoker } from '../../execute/execution-types.js';
import { readSourceRecord } from '../../execute/read-source.js';
import type { ReadBindings } from '../../execute/read-source.js';
import { ConnectorError } from '../../sdk/errors.js';
import type { TransformGuards } from '../../transform/transform-engine.js';
import { sourceConnection } from './echo-partners.js';

interface SourceReading {
  invoke: StepInvoker;
  bindings: ReadBindings;
  state: ExecutionState;
  guards?: TransformGuards;
}

/** The event's source record; undefined when its connection (a webhook or NATS source, no `read`) or key is unknown. */
export function eventSource(
  integration: CompiledIntegration,
  key: string,
  event: unknown,
  reading: SourceReading,
): EventSource | undefined {
  const connection = sourceConnection(integration);
  const { state } = reading;
  // Keyless events (no `key`) have no record to know.
  if (connection === undefined || !key || !state.sourceState) return undefined;
  const recordKey = `${connection}/${key}`;
  const written = async (): Promise<boolean> => {
    if ((await state.sourceState!.get(recordKey))?.written) return true;
    await recordSeen(state, recordKey, event, false);
    return false;
  };
  const read = async (): Promise<unknown> => {
    let record: unknown;
    try {
      record = await readSourceRecord(integration, key, reading.invoke, reading.bindings, reading.guards);
    } catch (error) {
      // Gone since the event: nothing to compare with, the event's body goes out as before.
      if (error instanceof ConnectorError && error.code === 'not-found') return undefined;
      throw error;
    }
    if (record === undefined || record === null) return undefined;
    // Over the event: what only the event has (a change event's header) stays for the step's body.
    const current = isRecord(event) && isRecord(record) ? { ...event, ...record } : record;
    await recordSeen(state, recordKey, current, true);
    return current;
  };
  // Each asked at most once per attempt.
  let wasWritten: Promise<boolean> | undefined;
  let current: Promise<unknown> | undefined;
  return {
    written: () => (wasWritten ??= written()),
    // Without a way to read it, a record we wrote to is known by our writes only.
    current: () => (current ??= integration.read?.get ? read() : Promise.resolve(undefined)),
  };
}
