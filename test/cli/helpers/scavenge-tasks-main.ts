/**
 * Child process of engine-v8-flags.test.ts: sets the engine's V8 flags unless told not to (`default` argument), then
 * switches on V8's per-collection trace (`--trace-gc-nvp`, one line per collection with the helper threads' share of
 * a scavenge as `background.scavenge.parallel`), so every scavenge it traces ran after that choice. Then it makes the
 * young generation collect many times, with objects surviving (as an engine's in-flight events do).
 */
import { setFlagsFromString } from 'node:v8';
import { useEngineV8Flags } from '../../../engine/cli/engine-v8-flags.js';

if (process.argv[2] !== 'default') useEngineV8Flags();
setFlagsFromString('--trace-gc-nvp');
let live: { n: number; list: number[] }[] = [];
// One object in four survives: enough copying for helper threads to join, too few survivors for V8 to pretenure the
// allocation site (at nearly all surviving it did, half the runs: full collections, only a dozen scavenges).
for (let i = 0; i < 20_000_000; i++) {
  const item = { n: i, list: [i] };
  if (i % 4 === 0) live.push(item);
  if (live.length > 100_000) live = [];
}
