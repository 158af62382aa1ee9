/**
 * Child process of engine-v8-flags.test.ts: sets the engine's V8 flags unless told not to (`default` argument), then
 * makes the young generation collect many times, with objects surviving (as an engine's in-flight events do). Run
 * with `--trace-parallel-scavenge --trace-gc`, V8 prints each scavenge's tasks and then the scavenge.
 */
import { useEngineV8Flags } from '../../../engine/cli/engine-v8-flags.js';

if (process.argv[2] !== 'default') useEngineV8Flags();
let live: { n: number; list: number[] }[] = [];
for (let i = 0; i < 10_000_000; i++) {
  live.push({ n: i, list: [i] });
  if (live.length > 100_000) live = [];
}
