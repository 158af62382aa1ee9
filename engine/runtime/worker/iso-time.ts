/**
 * `new Date(ms).toISOString()`, the same string, for the timestamps every delivered event writes (its ledger entry
 * and its trace record). V8's builtin takes about 0.45 µs a call; this one formats the minute once and appends
 * seconds and milliseconds (about 0.03 µs), which took about 1 % off the engine's busy time on the engine bench.
 */
const MINUTE_MS = 60_000;
/** The largest distance from the epoch a `Date` holds (ECMA-262 TimeClip). */
const MAX_TIME_MS = 8.64e15;

let cachedMinute = NaN;
/** `YYYY-MM-DDTHH:MM:` of `cachedMinute` (with the extended year form outside 0000-9999, as `toISOString` writes). */
let cachedPrefix = '';

export function isoTime(time: number = Date.now()): string {
  // NaN, infinities and times out of range throw the builtin's RangeError.
  if (!(Math.abs(time) <= MAX_TIME_MS)) return new Date(time).toISOString();
  // A Date drops the fraction toward zero (the broker's timestamps are in ns: fractions of a ms).
  const ms = Math.trunc(time);
  const minute = Math.floor(ms / MINUTE_MS);
  if (minute !== cachedMinute) {
    cachedPrefix = new Date(minute * MINUTE_MS).toISOString().slice(0, -'00.000Z'.length);
    cachedMinute = minute;
  }
  const inMinute = ms - minute * MINUTE_MS;
  const seconds = Math.floor(inMinute / 1000);
  const millis = inMinute - seconds * 1000;
  return `${cachedPrefix}${seconds < 10 ? '0' : ''}${seconds}.${millis < 10 ? '00' : millis < 100 ? '0' : ''}${millis}Z`;
}
