/**
 * A long command's progress on stderr (`junction backfill`, `junction reconcile`): on a terminal one line redrawn in
 * place at each update; piped to a file or CI log, a line every 2 s at most (a log of every record would drown the
 * report). The last update is always written, on its own line. A command that fails mid-way leaves a terminal's line
 * open: main ends it (endProgressLines) before it prints the error, so the error starts a line of its own.
 */
interface ProgressDisplay<P> {
  show(progress: P): void;
  done(progress: P): void;
}

interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** Terminal outputs whose last progress line is not ended yet (no newline after it). */
const openLines = new Set<ProgressOutput>();

/** Ends every progress line left open, so what is written next (an error) starts on a line of its own. */
export function endProgressLines(): void {
  for (const out of openLines) out.write('\n');
  openLines.clear();
}

/** How often a non-terminal output gets a line. */
const PIPED_PROGRESS_EVERY_MS = 2_000;

export function progressDisplay<P>(
  render: (progress: P) => string,
  out: ProgressOutput = process.stderr,
  now: () => number = Date.now,
): ProgressDisplay<P> {
  const tty = out.isTTY === true;
  let last: number | undefined;
  const write = (progress: P, final: boolean) => {
    last = now();
    const open = tty && !final;
    out.write(`${tty ? '\r\x1b[2K' : ''}${render(progress)}${open ? '' : '\n'}`);
    if (open) openLines.add(out);
    else openLines.delete(out);
  };
  return {
    show: (progress) => {
      if (!tty && last !== undefined && now() - last < PIPED_PROGRESS_EVERY_MS) return;
      write(progress, false);
    },
    done: (progress) => write(progress, true),
  };
}
