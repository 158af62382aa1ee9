/**
 * The V8 flags of every engine process. `junction run` sets them when it starts an engine (alone, or as a worker of
 * `--workers N`, which runs the same command), so they hold however node was started: the bin, the Docker image's
 * entry point, `node dist/engine/cli/junction.js`. V8 reads these at each collection, so setting them at run time
 * takes effect from the next one (test/cli/engine-v8-flags.test.ts checks that it does).
 *
 * `--no-parallel-scavenge`: V8 collects the young generation with helper threads by default. Beside an engine on
 * the 2-core bench machine, they ran about 200 ms of CPU more per 6 s of load at 1,500 events/s than scavenging on
 * the main thread, for no shorter pauses, and competed for the cores with nats-server and the engine's own event
 * loop (docs/performance.md, "Latency at half load"). An engine is meant to fill a core per process (`--workers`), so
 * helper threads only take CPU from the other processes.
 */
import { setFlagsFromString } from 'node:v8';

const ENGINE_V8_FLAGS: readonly string[] = ['--no-parallel-scavenge'];

/**
 * Sets the engine's V8 flags in this process, except those node was started with in either form: an operator who
 * starts `node --parallel-scavenge …/junction.js run` (an engine with idle cores beside it) keeps V8's default.
 * Workers of `--workers` inherit node's command line, so the choice holds for them too.
 */
export function useEngineV8Flags(execArgv: readonly string[] = process.execArgv): void {
  const given = new Set(execArgv.map(v8FlagName));
  for (const flag of ENGINE_V8_FLAGS) if (!given.has(v8FlagName(flag))) setFlagsFromString(flag);
}

/** A V8 flag's name as V8 matches it: without `--`, `no-` or a value, `_` and `-` alike. */
function v8FlagName(arg: string): string {
  return arg
    .replace(/^--?(no[-_])?/, '')
    .split('=')[0]!
    .replace(/_/g, '-');
}
