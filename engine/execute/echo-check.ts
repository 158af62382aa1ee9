/**
 * Echo suppression for an integration with a reverse partner (a field synced both ways). A write is not sent when:
 *  1. its body equals the last one written to the record (our own write's echo coming round again);
 *  2. its event's source record is one we wrote to (only such a record sends us echoes), and every field the write
 *     sets already has that value in what is known of the target record (`sourceState`): its state in the last event
 *     of it that an integration reading it carried, or as it re-read it, with our own writes to it since. Writing it
 *     would change nothing, or put back a value the record has moved on from, whose newer change is then on its way
 *     to us: it is the echo of a change we carried from that record;
 *  3. its event's source record is one we wrote to, and, re-read through the integration's `read.get`, has changed
 *     since the event in what this step writes: the event is stale. The step then writes what the source holds now,
 *     unless 1 or 2 holds for that.
 * 2 and 3 keep a field synced both ways from flipping when it changes twice before the first change's echo is back:
 * that echo carries a value that is neither the last one written (1) nor the source's current one.
 * Trade-offs and the corner cases they leave: docs/runtime.md, "Echo suppression".
 */
import type { CompiledStep } from '../compiler/compiled-spec.js';
import type { ExecutionResult, ExecutionState, SeenRecord } from './execution-types.js';
import { stableHash } from './stable-hash.js';

/** The source record behind an event of an integration whose writes keep echo-suppression state. */
export interface EventSource {
  /**
   * Whether one of our integrations wrote to the record: only then can its event be an echo. When not, the event is
   * kept as what is known of the record.
   */
  written: () => Promise<boolean>;
  /** The record as the source holds it now (`read.get`, over the event's own fields); undefined when unreadable. */
  current: () => Promise<unknown>;
}

/** Keeps a source record's state as just read or carried (`<connection>/<key>`), in place of what was known. */
export async function recordSeen(
  state: ExecutionState,
  recordKey: string,
  record: unknown,
  written: boolean,
): Promise<void> {
  if (!state.sourceState || !isRecord(record)) return;
  const fields = hashes({}, record);
  await state.sourceState.set(recordKey, written ? { fields, written } : { fields });
}

/** What a write checks, and may send instead of its body. */
interface EchoCheck {
  step: CompiledStep;
  index?: number;
  /** `<connection>/<object>/<identity>` of the record written. */
  recordKey: string;
  body: unknown;
  state: ExecutionState;
  source?: EventSource;
  /** The step's body for the source's current record (its ownership filter applied); absent for a `for_each`. */
  bodyFor?: (current: unknown) => Promise<unknown>;
  /** The record key a body addresses (the current record's body must address the same record). */
  recordKeyOf: (body: unknown) => string | undefined;
  result: ExecutionResult;
}

/** A write to send: its body and hash, and the target record's known state when it was checked against it. */
export interface EchoFreeWrite {
  body: unknown;
  hash: string;
  seen?: SeenRecord;
}

const NO_BODY = Symbol('no-body');

/** The write to send, or undefined when it is an echo. */
export async function writeUnlessEcho(check: EchoCheck): Promise<EchoFreeWrite | undefined> {
  const { body, source, state } = check;
  const last = await state.lastWritten!.get(check.recordKey);
  const hash = stableHash(body);
  if (hash === last) return undefined;
  // 2 and 3 only for an event of a record we wrote to: no other record sends us echoes.
  if (!source || !state.sourceState || !(await source.written())) return { body, hash };
  const seen = await state.sourceState.get(seenKey(check.step, body));
  if (setsSeenValues(check.step, body, seen)) return undefined;
  // Only a write that would go out pays for the re-read.
  const current = check.bodyFor ? await source.current() : undefined;
  if (current === undefined) return { body, hash, seen };
  const now = await check.bodyFor!(current).catch(() => NO_BODY);
  // A body that fails for the current record, or addresses another record, cannot tell the event stale.
  if (now === NO_BODY || check.recordKeyOf(now) !== check.recordKey) return { body, hash, seen };
  const nowHash = stableHash(now);
  if (nowHash === hash) return { body, hash, seen };
  (check.result.superseded ??= []).push({ step: check.step.id, ...indexOf(check) });
  if (nowHash === last || setsSeenValues(check.step, now, seen)) return undefined;
  return { body: now, hash: nowHash, seen };
}

/**
 * After the target took the write: its hash, and its fields as the record's known state (over what the check read of
 * it, else in its place), marked as written to, so the record's own events are checked as echoes.
 */
export async function rememberWrite(
  state: ExecutionState,
  step: CompiledStep,
  recordKey: string,
  write: EchoFreeWrite,
): Promise<void> {
  await state.lastWritten!.set(recordKey, write.hash);
  if (!state.sourceState || !isRecord(write.body)) return;
  const fields = hashes({ ...write.seen?.fields }, write.body);
  await state.sourceState.set(seenKey(step, write.body), { fields, written: true });
}

function hashes(into: Record<string, string>, record: Record<string, unknown>): Record<string, string> {
  for (const [field, value] of Object.entries(record)) if (value !== undefined) into[field] = stableHash(value);
  return into;
}

/**
 * A target record as its source is known (`<connection>/<identity>`): a source record is known by its connection
 * and its event's key, which for a record synced both ways is the record's id on both sides.
 */
function seenKey(step: CompiledStep, body: unknown): string {
  const ids = step.identityFields.map((f) => (body as Record<string, unknown>)[f]);
  return `${step.connection}/${ids.join('/')}`;
}

/** Whether every field the body sets (its identity aside) has that value in the record's known state. */
function setsSeenValues(step: CompiledStep, body: unknown, seen: SeenRecord | undefined): boolean {
  if (!seen || !isRecord(body)) return false;
  let fields = 0;
  for (const [field, value] of Object.entries(body)) {
    if (value === undefined || step.identityFields.includes(field)) continue;
    if (seen.fields[field] !== stableHash(value)) return false;
    fields++;
  }
  return fields > 0;
}

function indexOf(check: EchoCheck): { index?: number } {
  return check.index === undefined ? {} : { index: check.index };
}

/** A JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
