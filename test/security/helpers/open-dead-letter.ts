/** Waits until a record's event is in the DLQ, open, and returns that dead letter's id and event id. */
import { waitFor } from '../../runtime/helpers/runtime-harness.js';
import type { RuntimeHarness } from '../../runtime/helpers/runtime-harness.js';

export async function openDeadLetter(h: RuntimeHarness, key: string): Promise<{ id: string; eventId: string }> {
  let found: { id: string; eventId: string } | undefined;
  await waitFor(async () => {
    found = (await h.engine.deadLetters.list()).find((e) => e.key === key && e.status === 'open');
    return found !== undefined;
  }, `key ${key} dead-lettered`);
  return found!;
}
