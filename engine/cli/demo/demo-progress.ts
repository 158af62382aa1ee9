/**
 * Live progress in the terminal: per integration with traffic, events delivered / skipped / retrying / dead-lettered,
 * not yet finished (lag) and waiting for a required cross-reference.
 */
import type { EngineStatus } from '../../runtime/observe/engine-status.js';

export function progressLines(status: EngineStatus, elapsedS: number, note: string): string {
  const active = status.integrations.filter((i) => i.counts.in > 0);
  const width = Math.max(0, ...active.map((i) => i.name.length));
  const n = (value: number, digits: number) => String(value).padStart(digits);
  const rows = active.map(
    (i) =>
      `  ${i.name.padEnd(width)}  in ${n(i.counts.in, 4)}  delivered ${n(i.counts.delivered, 4)}  skipped ${n(i.counts.skipped, 3)}  retried ${n(i.counts.retried, 3)}  dead ${n(i.counts.deadLettered, 2)}  lag ${n(i.lag, 3)}  waiting ${n(i.waiting, 2)}`,
  );
  return [`[${elapsedS.toFixed(0).padStart(3)}s] commit ${status.commit.slice(0, 10)}  ${note}`, ...rows].join('\n');
}
