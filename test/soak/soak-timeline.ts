/**
 * The soak's progress over time: one sample per progress line, printed at the end as a compact table of at most
 * `rows` spans, so a run of an hour reads in twenty lines. Lag is given both as events (accepted, not yet written or
 * dead-lettered) and as time: how long ago the sender had accepted as many events as are finished now.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

interface SoakSample {
  /** Seconds since the soak started. */
  at: number;
  accepted: number;
  /** Written at the target or dead-lettered. */
  finished: number;
  /** Disk use of the broker's store. */
  storeMb: number;
  /** Faults injected so far. */
  faults: number;
}

export class SoakTimeline {
  readonly samples: SoakSample[] = [{ at: 0, accepted: 0, finished: 0, storeMb: 0, faults: 0 }];

  add(sample: SoakSample): void {
    this.samples.push(sample);
  }

  /**
   * Seconds the finished events trail the accepted ones: the time since `accepted` was where `finished` is now
   * (interpolated between samples).
   */
  behindSeconds(sample: SoakSample): number {
    if (sample.finished >= sample.accepted) return 0;
    const i = this.samples.findIndex((s) => s.accepted >= sample.finished);
    if (i <= 0) return i === 0 ? sample.at : 0;
    const [before, after] = [this.samples[i - 1], this.samples[i]];
    const share = (sample.finished - before.accepted) / (after.accepted - before.accepted);
    return Math.max(0, sample.at - (before.at + share * (after.at - before.at)));
  }

  /** Finished events per second between two samples. */
  static rate(from: SoakSample, to: SoakSample): number {
    return to.at > from.at ? (to.finished - from.finished) / (to.at - from.at) : 0;
  }

  /** The run as a markdown table of at most `rows` spans of equal length. */
  table(rows = 20): string[] {
    const points = this.samples;
    const step = Math.max(1, Math.ceil((points.length - 1) / rows));
    const lines = [
      '| span | accepted | finished | events/s in span | lag (events) | behind | store | faults |',
      '|---|---|---|---|---|---|---|---|',
    ];
    for (let i = 0; i < points.length - 1; i += step) {
      const from = points[i];
      const to = points[Math.min(i + step, points.length - 1)];
      lines.push(
        `| ${minutes(from.at)}-${minutes(to.at)} | ${to.accepted} | ${to.finished} | ` +
          `${SoakTimeline.rate(from, to).toFixed(0)} | ${to.accepted - to.finished} | ` +
          `${this.behindSeconds(to).toFixed(0)} s | ${to.storeMb} MB | ${to.faults - from.faults} |`,
      );
    }
    return lines;
  }
}

function minutes(seconds: number): string {
  return `${(seconds / 60).toFixed(1)}m`;
}

/** Disk use of a directory tree in MB (the broker's store: a few hundred block files even at a million events). */
export async function directoryMegabytes(dir: string): Promise<number> {
  let bytes = 0;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    bytes += await stat(join(entry.parentPath ?? entry.path, entry.name)).then(
      (s) => s.size,
      () => 0,
    );
  }
  return Math.round(bytes / 1e6);
}
