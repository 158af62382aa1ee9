/**
 * Junction's time-zone functions for spec expressions, `$localDate(timestamp, zone)` and `$zoneOffset(timestamp,
 * zone)`: JSONata's `$fromMillis` takes only a fixed offset ("-0800"), which is wrong half the year where daylight
 * saving applies, so the day and offset of an instant in a named IANA zone come from Node's ICU (Intl) instead.
 * They are bound like `$lookup` (engine/execute/expression-bindings.ts), so both transform engines see them.
 */

/** Formatters by zone name: building one costs far more than using it. Only valid zones are kept. */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when `name` is a time zone Intl knows (an IANA name such as "America/Los_Angeles", an alias, or "UTC"). */
export function isTimeZone(name: string): boolean {
  return formatterOrUndefined(name) !== undefined;
}

/** The canonical IANA zone names, for did-you-mean. */
export function timeZoneNames(): string[] {
  return [...Intl.supportedValuesOf('timeZone'), 'UTC'];
}

/**
 * The calendar date ("YYYY-MM-DD") of an instant in the zone. The instant is epoch milliseconds or a timestamp
 * string; a string without an offset is UTC, as Magento answers `created_at`. No timestamp gives no value.
 */
export function localDate(timestamp: unknown, zone: unknown): string | undefined {
  const ms = instant('localDate', timestamp);
  if (ms === undefined) return undefined;
  const t = wallClock('localDate', ms, zone);
  return `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}`;
}

/**
 * The zone's offset from UTC at the instant, as `$fromMillis` takes it ("-0700"), so any picture can be formatted in
 * the zone: `$fromMillis($toMillis(t), "[H01]:[m01]", $zoneOffset(t, "Europe/Berlin"))`.
 */
export function zoneOffset(timestamp: unknown, zone: unknown): string | undefined {
  const ms = instant('zoneOffset', timestamp);
  if (ms === undefined) return undefined;
  const t = wallClock('zoneOffset', ms, zone);
  const minutes = Math.round((Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second) - seconds(ms)) / 60000);
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60), 2)}${pad(abs % 60, 2)}`;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(fn: string, ms: number, zone: unknown): WallClock {
  if (typeof zone !== 'string' || zone === '')
    throw new Error(
      `$${fn}: the time zone (argument 2) must be an IANA zone name such as "America/Los_Angeles"; got ${describe(zone)}`,
    );
  const format = formatterOrUndefined(zone);
  if (!format) throw new Error(unknownZoneMessage(fn, zone));
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(ms)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** What an unknown zone name is, with the nearest known name when one is close. */
export function unknownZoneMessage(fn: string, zone: string, hint?: string): string {
  return `$${fn}: unknown time zone ${JSON.stringify(zone)}: give an IANA zone name such as "America/Los_Angeles"${
    hint ? `; did you mean ${JSON.stringify(hint)}?` : ''
  }`;
}

function formatterOrUndefined(zone: string): Intl.DateTimeFormat | undefined {
  let format = formatters.get(zone);
  if (format) return format;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    return undefined; // RangeError: Invalid time zone specified
  }
  formatters.set(zone, format);
  return format;
}

/** `2027-02-01 07:30:00` (Magento), `2027-02-01T07:30:00Z`, `…T07:30:00.123-08:00`: the time is required. */
const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function instant(fn: string, timestamp: unknown): number | undefined {
  if (timestamp === undefined || timestamp === null) return undefined;
  if (typeof timestamp === 'number' && Number.isFinite(timestamp)) return timestamp;
  const m = typeof timestamp === 'string' ? TIMESTAMP.exec(timestamp.trim()) : null;
  if (!m)
    throw new Error(
      `$${fn}: argument 1 must be epoch milliseconds or a timestamp such as "2027-02-01 07:30:00" (UTC when it has no offset) or "2027-02-01T07:30:00-08:00"; got ${describe(timestamp)}`,
    );
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  const fields = [Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0)] as const;
  const utc = Date.UTC(...fields) + Math.floor(Number(`0.${frac ?? 0}`) * 1000);
  const date = new Date(utc);
  if (date.getUTCMonth() !== fields[1] || date.getUTCDate() !== fields[2] || fields[3] > 23 || fields[5] > 59)
    throw new Error(`$${fn}: argument 1 is no valid date and time: ${describe(timestamp)}`);
  return utc - offsetMs(offset);
}

function offsetMs(offset: string | undefined): number {
  if (!offset || offset.toUpperCase() === 'Z') return 0;
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return (offset.startsWith('-') ? -1 : 1) * minutes * 60000;
}

const seconds = (ms: number) => Math.floor(ms / 1000) * 1000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const describe = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));
