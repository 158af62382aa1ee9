/**
 * The bench's per-block figures: samples cut into blocks of delivered events, each with its events/s, each process's
 * CPU per event and the orders accepted meanwhile; a short rest joins the block before.
 */
import { expect, it } from 'vitest';
import { blocksOf } from './run-blocks.js';
import type { RunSample } from './run-blocks.js';

const sample = (at: number, delivered: number, accepted: number, engine: number, nats?: number): RunSample => ({
  at,
  delivered,
  accepted,
  cpuMs: { engine, nats },
});

it('cuts samples into blocks of at least the size, with events/s, CPU per event and orders accepted meanwhile', () => {
  const samples = [
    sample(0, 0, 0, 0, 0),
    sample(250, 600, 1_500, 600, 100),
    sample(500, 1_100, 3_000, 1_000, 200),
    sample(750, 1_900, 3_000, 1_300, undefined),
    sample(1_000, 2_500, 3_000, 1_500, 400),
    sample(1_250, 2_700, 3_000, 1_560, 430),
  ];
  expect(blocksOf(samples, 1_000)).toEqual([
    { from: 0, to: 1_100, accepted: 3_000, perS: 2_200, cpuMsPerEvent: { engine: 1_000 / 1_100, nats: 200 / 1_100 } },
    // 2,500 would leave a rest of 200 (under half a block): it joins this block.
    {
      from: 1_100,
      to: 2_700,
      accepted: 0,
      perS: 1_600 / 0.75,
      cpuMsPerEvent: { engine: 560 / 1_600, nats: 230 / 1_600 },
    },
  ]);
});

it('a process whose CPU could not be read gives no figure for the block, and a run without deliveries no block', () => {
  const blocks = blocksOf([sample(0, 0, 0, 0, 0), sample(500, 1_000, 1_000, 400, undefined)], 1_000);
  expect(blocks).toEqual([{ from: 0, to: 1_000, accepted: 1_000, perS: 2_000, cpuMsPerEvent: { engine: 0.4 } }]);
  expect(blocks[0].cpuMsPerEvent.nats).toBeUndefined();
  expect(blocksOf([sample(0, 0, 0, 0), sample(250, 0, 0, 10)], 1_000)).toEqual([]);
});
