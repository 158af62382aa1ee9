/** The front of a progress line, shared by `junction backfill` and `junction reconcile`. */

/** Records per second over `elapsedMs`. */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? count / (elapsedMs / 1000) : 0;
}

/** `[######------]  250/500  83/s  ETA 3s`, or without a total `250 records  83/s`. */
export function progressMeter(position: number, total: number | undefined, rate: number): string {
  if (total === undefined) return `${position} records  ${rate.toFixed(0)}/s`;
  const width = 24;
  const filled = total === 0 ? width : Math.round((Math.min(position, total) / total) * width);
  const eta = rate > 0 ? `ETA ${Math.ceil((total - position) / rate)}s` : 'ETA –';
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]  ${position}/${total}  ${rate.toFixed(0)}/s  ${eta}`;
}
