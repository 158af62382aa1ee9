/**
 * Patterns RE2 cannot run (backreferences, lookaround) run on V8's RegExp in a worker thread, under a hard deadline.
 * One call returns every successive match of a `g`-flag iteration from `from` (as jsonata-js walks them with
 * `next()`), so iterating costs one round trip; the answer is kept for the string it was asked about.
 */
import { jerr } from '../errors.js';
import { DeadlineExceeded, SyncWorker, WORKER_READY } from '../../sync-worker.js';
import type { RawMatch } from './regex-matcher.js';

const SCRIPT = `
parentPort.on('message', ({ source, flags, str, from }) => {
  try {
    const re = new RegExp(source, flags);
    const found = [];
    let at = from;
    for (;;) {
      re.lastIndex = at;
      const m = re.exec(str);
      if (m === null) break;
      found.push({ from: at, index: m.index, match: m[0], groups: m.slice(1) });
      if (m[0] === '' && found.length > 1) break;
      at = re.lastIndex;
      if (at >= str.length) break;
    }
    send({ kind: 'done', value: found });
  } catch (e) {
    send({ kind: 'error', error: { message: String(e && e.message) } });
  }
});
${WORKER_READY}
`;

const worker = new SyncWorker(SCRIPT);

let last: { regex: RegExp; str: string; found: (RawMatch & { from: number })[] } | undefined;

export function fallbackExec(regex: RegExp, str: string, from: number, deadline: number): RawMatch | null {
  if (last !== undefined && last.regex === regex && last.str === str) {
    const hit = last.found.find((m) => m.from === from);
    if (hit !== undefined) return hit;
    if (last.found.length > 0 && last.found[last.found.length - 1].from < from) return null;
  }
  const budget = Number.isFinite(deadline) ? deadline : Date.now() + 1000;
  let answer;
  try {
    answer = worker.call(
      { source: regex.source, flags: regex.flags.includes('g') ? regex.flags : regex.flags + 'g', str, from },
      budget,
    );
  } catch (e) {
    if (e instanceof DeadlineExceeded) {
      throw jerr('U1001', { message: `Regular expression evaluation timeout: /${regex.source}/ ran out of time` });
    }
    throw e;
  }
  if (answer.kind !== 'done')
    throw new Error(`regex ${regex.source}: ${String(answer.kind === 'error' && answer.error.message)}`);
  const found = answer.value as (RawMatch & { from: number })[];
  last = { regex, str, found };
  return found.length > 0 && found[0].from === from ? found[0] : null;
}

/** Starts the worker early, when an expression with such a pattern is compiled. */
export function warmFallback(): void {
  worker.warm();
}
