/**
 * Live progress in the terminal: a header with what is going on now, then per integration with traffic, events
 * delivered / skipped / retrying / dead-lettered, not yet finished (lag) and waiting for a required cross-reference.
 */
import type { EngineStatus } from '../../runtime/observe/engine-status.js';
import type { BrokerWait } from '../broker-patience.js';

/** `status` is left out when the engine could not say (its counts need NATS). */
export function progressLines(status: EngineStatus | undefined, elapsedS: number, note: string): string {
  const header = `[${elapsedS.toFixed(0).padStart(3)}s] ${status ? `commit ${status.commit.slice(0, 10)}  ` : ''}${note}`;
  const active = status?.integrations.filter((i) => i.counts.in > 0) ?? [];
  const width = Math.max(0, ...active.map((i) => i.name.length));
  const n = (value: number, digits: number) => String(value).padStart(digits);
  const rows = active.map(
    (i) =>
      `  ${i.name.padEnd(width)}  in ${n(i.counts.in, 4)}  delivered ${n(i.counts.delivered, 4)}  skipped ${n(i.counts.skipped, 3)}  retried ${n(i.counts.retried, 3)}  dead ${n(i.counts.deadLettered, 2)}  lag ${n(i.lag, 3)}  waiting ${n(i.waiting, 2)}`,
  );
  return [header, ...rows].join('\n');
}

/**
 * What the header says: the broker's absence above all (its counts are then not known), else the demo's current
 * condition (a target that is down, the drain). A timeline step's announcement is printed once, on its own line, not
 * repeated here.
 */
export function progressNote(
  condition: string,
  wait: BrokerWait | undefined,
  status: EngineStatus | undefined,
  now: number,
  patienceMs: number,
): string {
  const cutOff = status?.nats.connected === false;
  if (!wait && !cutOff) return condition;
  const detail = wait
    ? `${wait.what}: ${wait.reason}; retried with backoff for ${Math.round((now - wait.since) / 1000)} s of up to ` +
      `${patienceMs / 1000} s`
    : 'the engine is cut off from NATS: lag and dead letters are not known until it reconnects';
  return `broker unreachable, retrying… (${detail})`;
}
