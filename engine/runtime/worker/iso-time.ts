/**
 * `new Date(ms).toISOString()`, the same string, for the timestamps every delivered event writes (its ledger entry
 * and its trace record). V8's builtin takes about 0.45 µs a call; this one formats the minute once and appends
 * seconds and milliseconds (about 0.03 µs), which took about 1 % off the engine's busy time on the engine bench.
 */
const MINUTE_MS = 60_000;
/** The largest distance from the epoch a `Date` holds (ECMA-262 TimeClip). */
const MAX_TIME_MS = 8.64e15;

/**
 * The two minutes formatted last, each `YYYY-MM-DDTHH:MM:` (with the extended year form outside 0000-9999, as
 * `toISOString` writes): an event's trace record writes when it was stored and when its attempt ended, and behind a
 * backlog those are often minutes apart, which with one minute kept formatted both anew on every event.
 */
let recentMinute = NaN;
let recentPrefix = '';
let olderMinute = NaN;
let olderPrefix = '';

export function isoTime(time: number = Date.now()): string {
  // NaN, infinities and times out of range throw the builtin's RangeError.
  if (!(Math.abs(time) <= MAX_TIME_MS)) return new Date(time).toISOString();
  // A Date drops the fraction toward zero (the broker's timestamps are in ns: fractions of a ms).
  const ms = Math.trunc(time);
  const minute = Math.floor(ms / MINUTE_MS);
  if (minute !== recentMinute) {
    if (minute === olderMinute) {
      const prefix = olderPrefix;
      olderMinute = recentMinute;
      olderPrefix = recentPrefix;
      recentMinute = minute;
      recentPrefix = prefix;
    } else {
      olderMinute = recentMinute;
      olderPrefix = recentPrefix;
      recentPrefix = new Date(minute * MINUTE_MS).toISOString().slice(0, -'00.000Z'.length);
      recentMinute = minute;
    }
  }
  const inMinute = ms - minute * MINUTE_MS;
  const seconds = Math.floor(inMinute / 1000);
  const millis = inMinute - seconds * 1000;
  return `${recentPrefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
