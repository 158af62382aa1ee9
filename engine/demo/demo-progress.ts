/** Live progress in the terminal: per integration with traffic, events delivered / retrying / dead-lettered. */
import type { EngineStatus } from '../runtime/engine-status.js';

export function progressLines(status: EngineStatus, elapsedS: number, note: string): string {
  const rows = status.integrations.filter((i) => i.counts.in > 0).map((i) => `  ${i.name.padEnd(36)} in ${String(i.counts.in).padStart(4)}  delivered ${String(i.counts.delivered).padStart(4)}  retried ${String(i.counts.retried).padStart(3)}  dead ${String(i.counts.deadLettered).padStart(2)}  lag ${String(i.lag).padStart(3)}`);
  return [`[${elapsedS.toFixed(0).padStart(3)}s] commit ${status.commit.slice(0, 10)}  ${note}`, ...rows].join('\n');
}
