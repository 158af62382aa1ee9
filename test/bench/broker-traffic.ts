/**
 * The broker's traffic over a bench run, from nats-server's own counters (its monitoring endpoint `/varz`): messages
 * and bytes the server received from its clients and sent to them. Unlike CPU time these counts do not depend on how
 * loaded the machine is, so a change that cuts broker messages or bytes per event shows on a noisy host too.
 * Only the engine talks to nats-server while a run is measured (the load generator and the fake ERP speak HTTP), so a
 * run's delta divided by its events is the engine's broker traffic per event.
 */
import { readFileSync } from 'node:fs';

/** nats-server's counters at one moment. */
interface BrokerCounters {
  inMsgs: number;
  outMsgs: number;
  inBytes: number;
  outBytes: number;
}

/** The `-m` argument that opens nats-server's monitoring endpoint on `port` (loopback, as the server's own address). */
export function monitoringArgs(port: number): string[] {
  return ['-m', String(port)];
}

/** Reads the counters from `http://127.0.0.1:<port>/varz`. */
export async function brokerCounters(port: number): Promise<BrokerCounters> {
  const response = await fetch(`http://127.0.0.1:${port}/varz`);
  if (!response.ok) throw new Error(`nats-server /varz on port ${port} answered ${response.status}`);
  const v = (await response.json()) as { in_msgs: number; out_msgs: number; in_bytes: number; out_bytes: number };
  return { inMsgs: v.in_msgs, outMsgs: v.out_msgs, inBytes: v.in_bytes, outBytes: v.out_bytes };
}

/** Per event between two readings. */
export function perEvent(before: BrokerCounters, after: BrokerCounters, events: number): BrokerCounters {
  return {
    inMsgs: (after.inMsgs - before.inMsgs) / events,
    outMsgs: (after.outMsgs - before.outMsgs) / events,
    inBytes: (after.inBytes - before.inBytes) / events,
    outBytes: (after.outBytes - before.outBytes) / events,
  };
}

/** One line: messages and bytes per event, each way. */
export function trafficLine(what: string, t: BrokerCounters): string {
  const kb = (b: number) => `${(b / 1024).toFixed(2)} KB`;
  return (
    `broker traffic per event (${what}, nats-server /varz): clients -> server ${t.inMsgs.toFixed(2)} msgs ` +
    `${kb(t.inBytes)}, server -> clients ${t.outMsgs.toFixed(2)} msgs ${kb(t.outBytes)}, ` +
    `${(t.inMsgs + t.outMsgs).toFixed(2)} msgs in all`
  );
}

/**
 * A process's read and write system calls so far (`syscr`, `syscw` of /proc/<pid>/io, Linux; undefined elsewhere).
 * Per event they show how well its event loop batches: a process that takes in fewer messages per socket read and
 * writes fewer frames per write spends more CPU per event on the kernel and on event-loop turns.
 */
export function ioCalls(pid: number | 'self'): { reads: number; writes: number } | undefined {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return { reads: Number(/syscr:\s*(\d+)/.exec(io)![1]), writes: Number(/syscw:\s*(\d+)/.exec(io)![1]) };
  } catch {
    return undefined;
  }
}
