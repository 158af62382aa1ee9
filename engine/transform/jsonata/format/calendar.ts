/** Calendar arithmetic for the date/time functions: date parts in a timezone, ISO weeks, names, offsets. */
import { digitFamilyZero, toFamily } from './digits.js';
import { fail } from './errors.js';

export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];
/** ISO order: Monday is day 1. */
export const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

const DAY_MS = 86_400_000;

export interface DateParts {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  dayOfYear: number;
  /** 1 (Monday) - 7 (Sunday) */
  dayOfWeek: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** ISO week-numbering year and week. */
  isoYear: number;
  isoWeek: number;
  /** Month that owns the week (the month of its Thursday) and the week's number in it. */
  weekMonth: number;
  weekOfMonth: number;
}

function startOfYear(year: number): number {
  if (year >= 100) return Date.UTC(year, 0, 1);
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return d.getTime();
}

/** The calendar fields of `millis` shifted by `offsetMinutes`; undefined when out of the Date range. */
export function dateParts(millis: number, offsetMinutes: number): DateParts | undefined {
  const local = new Date(millis + offsetMinutes * 60_000);
  const t = local.getTime();
  if (Number.isNaN(t)) return undefined;
  const year = local.getUTCFullYear();
  const dayOfWeek = ((local.getUTCDay() + 6) % 7) + 1;
  const thursday = new Date(t + (4 - dayOfWeek) * DAY_MS);
  const thursdayYear = thursday.getUTCFullYear();
  return {
    year,
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    dayOfYear: Math.floor((t - startOfYear(year)) / DAY_MS) + 1,
    dayOfWeek,
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    millisecond: local.getUTCMilliseconds(),
    isoYear: thursdayYear,
    isoWeek: Math.floor((thursday.getTime() - startOfYear(thursdayYear)) / DAY_MS / 7) + 1,
    weekMonth: thursday.getUTCMonth() + 1,
    weekOfMonth: Math.floor((thursday.getUTCDate() - 1) / 7) + 1,
  };
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Millis of a UTC date/time (any year, including 0-99), day counted from `month`/1 (may exceed the month for day-of-year). */
export function utcMillis(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  if (year >= 100) return Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, ms);
  return d.getTime();
}

const TIMEZONE = /^([+-])?(\d{1,2})(?::?(\d{2}))?$/;
const tzCache = new Map<string, number>();

/** Parses a timezone argument ("+0100", "-05:00", "0000", "Z") into minutes east of UTC. */
export function parseTimezone(timezone: string): number {
  const cached = tzCache.get(timezone);
  if (cached !== undefined) return cached;
  let minutes = 0;
  if (timezone !== 'Z') {
    const m = TIMEZONE.exec(timezone.trim());
    if (!m || Number(m[3] ?? 0) > 59) fail('D3134', `Invalid timezone "${timezone}": expected an offset such as +0100 or -05:00`);
    minutes = (Number(m[2]) * 60 + Number(m[3] ?? 0)) * (m[1] === '-' ? -1 : 1);
  }
  if (tzCache.size > 100) tzCache.clear();
  tzCache.set(timezone, minutes);
  return minutes;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Formats a timezone offset with a Z/z presentation modifier: "01:01" (+05:00), "0" (+5, +5:30), "01" (+05),
 * "0101" (+0500); `traditional` writes a zero offset as Z. More than four digits is error D3134.
 */
export function formatTimezone(offset: number, presentation: string, traditional: boolean, gmt: boolean): string {
  if (offset === 0 && traditional && !gmt) return 'Z';
  let digits = 0;
  let hourDigits = -1;
  let separator = '';
  let zero = 0x30;
  for (const ch of presentation) {
    const family = digitFamilyZero(ch.codePointAt(0)!);
    if (family >= 0 || ch === '#') {
      if (family >= 0) zero = family;
      digits++;
    } else if (/\p{L}/u.test(ch) || separator) {
      fail('D3134', 'The timezone integer format specifier cannot have more than four digits');
    } else {
      separator = ch;
      hourDigits = digits;
    }
  }
  if (digits > 4) fail('D3134', 'The timezone integer format specifier cannot have more than four digits');
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hours = Math.floor(abs / 60);
  const minutes = abs % 60;
  let out: string;
  if (separator) out = pad(hours, hourDigits) + separator + pad(minutes, 2);
  else if (digits <= 2) out = pad(hours, digits) + (minutes ? ':' + pad(minutes, 2) : '');
  else out = pad(hours, digits - 2) + pad(minutes, 2);
  return (gmt ? 'GMT' : '') + sign + toFamily(out, zero);
}
