/**
 * The stage marks of engine/execute/stage-marks.ts on the `junction:event-stage` diagnostics channel, as the engine
 * bench uses them to split each event's latency: for every event, `delivered` (its stream sequence, subject and
 * stored time), `checked` (its ledger entry and its key's parking read), `transformed` and `settled` (the same
 * message), in that order.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { STAGE_CHANNEL } from '../../engine/execute/stage-marks.js';
import type { StageMark } from '../../engine/execute/stage-marks.js';
import { startRuntimeHarness, waitFor } from './helpers/runtime-harness.js';
import type { RuntimeHarness } from './helpers/runtime-harness.js';
import { integrationYaml } from './helpers/runtime-specs.js';

let h: RuntimeHarness | undefined;
const marks: StageMark[] = [];
const record = (mark: unknown) => marks.push(mark as StageMark);
afterEach(async () => {
  unsubscribe(STAGE_CHANNEL, record);
  marks.length = 0;
  await h?.dispose();
  h = undefined;
});

describe('stage marks', () => {
  it('mark each event delivered, checked, transformed and settled, in that order, naming its message', async () => {
    h = await startRuntimeHarness({ integrations: [integrationYaml()] });
    subscribe(STAGE_CHANNEL, record);
    const replies = [await h.post('orders', { id: 1, seq: 1 }), await h.post('orders', { id: 2, seq: 1 })];
    await waitFor(() => marks.filter((m) => m.stage === 'settled').length === 2, 'two events settled');
    for (const reply of replies) {
      const eventId = `orders:${reply.body.id as string}`;
      const seq = reply.body.seq as number;
      const delivered = marks.findIndex((m) => m.stage === 'delivered' && m.eventId === eventId);
      const checked = marks.findIndex((m) => m.stage === 'checked' && m.eventId === eventId);
      const transformed = marks.findIndex((m) => m.stage === 'transformed' && m.eventId === eventId);
      const settled = marks.findIndex((m) => m.stage === 'settled' && m.seq === seq);
      expect(marks[delivered]).toEqual({
        stage: 'delivered',
        eventId,
        seq,
        subject: expect.stringMatching(/^junction\.events\.orders\.\d+$/),
        storedAt: expect.any(Number),
        at: expect.any(Number),
      });
      expect(marks[settled].subject).toBe(marks[delivered].subject);
      expect(marks[checked]).toEqual({ stage: 'checked', eventId, at: expect.any(Number) });
      expect(delivered).toBeLessThan(checked);
      expect(checked).toBeLessThan(transformed);
      expect(transformed).toBeLessThan(settled);
    }
    expect(h.target.records.get('1')).toEqual({ key: '1', seq: 1 });
  });
});
