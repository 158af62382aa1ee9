/**
 * How often the duplicate windows opened in a soak, from the engines' own counters (Prometheus text): redeliveries
 * that waited for a running attempt in the same process, calls found leased by another process, calls withdrawn
 * unsent because their lease ran out at the connection's gate, call leases renewed and taken over once run out, and
 * consumers the watchdog recreated. A process's counts die with it: the soak reads the live ones at the end.
 */

interface WindowCounts {
  joined: number;
  callInFlight: number;
  leaseExpired: number;
  leasesRenewed: number;
  leasesTakenOver: number;
  consumersRecreated: number;
}

/** The counts in one engine's Prometheus text. */
export function windowCounts(prometheus: string): WindowCounts {
  const sum = (name: string, label = '') =>
    prometheus
      .split('\n')
      .filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && line.includes(label))
      .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  return {
    joined: sum('junction_events_joined_total'),
    callInFlight: sum('junction_events_retried_total', 'code="call-in-flight"'),
    leaseExpired: sum('junction_events_retried_total', 'code="lease-expired"'),
    leasesRenewed: sum('junction_call_leases_renewed_total'),
    leasesTakenOver: sum('junction_call_leases_taken_over_total'),
    consumersRecreated: sum('junction_consumers_recreated_total'),
  };
}

export function addCounts(a: WindowCounts, b: WindowCounts): WindowCounts {
  const total = { ...a };
  for (const key of Object.keys(total) as (keyof WindowCounts)[]) total[key] += b[key];
  return total;
}

/** One line: `joined=… call-in-flight=… …`. */
export function formatCounts(c: WindowCounts): string {
  return (
    `joined=${c.joined} call-in-flight=${c.callInFlight} lease-expired=${c.leaseExpired} ` +
    `leases-renewed=${c.leasesRenewed} leases-taken-over=${c.leasesTakenOver} consumers-recreated=${c.consumersRecreated}`
  );
}
