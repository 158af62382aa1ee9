/**
 * $toMillis with a picture: reads a timestamp written with a date/time picture (the inverse of $fromMillis).
 * Components more significant than those given default to the current UTC date/time, less significant ones to
 * their minimum; a gap in between is error D3136.
 */
import { DAY_NAMES, MONTH_NAMES, daysInMonth, utcMillis } from './calendar.js';
import { PictureCache } from './cache.js';
import type { Marker, Part } from './datetime-picture.js';
import { parseDatePicture } from './datetime-picture.js';
import { toAsciiDigits } from './digits.js';
import { fail } from './errors.js';
import { styleRegex, styleValue } from './parse-integer.js';
import { escapeText } from './regex.js';

interface Matcher {
  regex: RegExp;
  /** The markers, in capture-group order. */
  markers: Marker[];
  /** True when the date is given as year + day of year ([d]) rather than year + month + day. */
  dayOfYear: boolean;
}

const TZ_OFFSET = '[+-]\\d{1,2}(?::?\\d{2})?';
const DATE_FIELDS = ['Y', 'M', 'D', 'H', 'm', 's', 'f'];
const ORDINAL_FIELDS = ['Y', 'd', 'H', 'm', 's', 'f'];

function namesRegex(names: string[], maxWidth: number | undefined): string {
  const all = new Set<string>();
  for (const n of names) {
    all.add(n);
    all.add(n.slice(0, 3));
    if (maxWidth !== undefined) all.add(n.slice(0, maxWidth));
  }
  return [...all].sort((a, b) => b.length - a.length).map(escapeText).join('|');
}

function markerRegex(m: Marker, next: Part | undefined): string {
  switch (m.component) {
    case 'Z': return `Z|${TZ_OFFSET}`;
    case 'z': return `GMT(?:${TZ_OFFSET})?`;
    case 'P': return 'am|pm|a\\.m\\.|p\\.m\\.';
    case 'C':
    case 'E': fail('D3133', `The 'name' modifier can only be applied to months and days in the date/time picture string, not "${m.component}"`);
  }
  if (m.names) return namesRegex(m.component === 'F' ? DAY_NAMES : MONTH_NAMES, m.maxWidth);
  const style = m.style!;
  if (style.kind !== 'decimal') return styleRegex(style);
  if (m.maxWidth !== undefined) return styleRegex(style, { min: Math.min(m.minWidth ?? 1, m.maxWidth), max: m.maxWidth });
  if (next !== undefined && typeof next !== 'string') {
    // adjacent components ("[Y0001][M01]") can only be told apart by their widths
    const n = Math.max(style.mandatory, m.minWidth ?? 0, 1);
    return styleRegex(style, { min: n, max: n });
  }
  return styleRegex(style);
}

/** Checks that the components set form one run from the most significant given down (D3136 otherwise). */
function checkComponents(markers: Marker[]): boolean {
  const present = new Set(markers.map((m) => (m.component === 'h' ? 'H' : m.component)));
  const dayOfYear = present.has('d');
  const fields = dayOfYear ? ORDINAL_FIELDS : DATE_FIELDS;
  const set = fields.map((f) => present.has(f));
  const first = set.indexOf(true);
  const last = set.lastIndexOf(true);
  const gap = first >= 0 && set.slice(first, last + 1).includes(false);
  if ((markers.length > 0 && first < 0) || gap || (dayOfYear && (present.has('M') || present.has('D')))) {
    fail('D3136', 'The date/time picture string is missing specifiers required to parse the timestamp');
  }
  return dayOfYear;
}

const cache = new PictureCache<Matcher>();

function compile(picture: string): Matcher {
  const { parts } = parseDatePicture(picture);
  const markers: Marker[] = [];
  let source = '';
  parts.forEach((part, i) => {
    if (typeof part === 'string') source += escapeText(part);
    else {
      markers.push(part);
      source += `(${markerRegex(part, parts[i + 1])})`;
    }
  });
  const dayOfYear = checkComponents(markers);
  return { regex: new RegExp(`^${source}$`, 'iu'), markers, dayOfYear };
}

function nameIndex(text: string, names: string[]): number {
  const lower = text.toLowerCase();
  return names.findIndex((n) => n.toLowerCase().startsWith(lower));
}

function offsetMinutes(text: string): number {
  const m = /([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(text);
  if (!m) return 0; // "Z" or bare "GMT"
  return (Number(m[2]) * 60 + Number(m[3] ?? 0)) * (m[1] === '-' ? -1 : 1);
}

export function parseDateTime(timestamp: string, picture: string): number | undefined {
  const matcher = cache.get(picture, compile);
  const match = matcher.regex.exec(timestamp);
  if (!match || matcher.markers.length === 0) return undefined;
  const values: Record<string, number> = {};
  let pm: boolean | undefined;
  let offset = 0;
  for (let i = 0; i < matcher.markers.length; i++) {
    const m = matcher.markers[i];
    const text = match[i + 1];
    switch (m.component) {
      case 'Z':
      case 'z': offset = offsetMinutes(text); continue;
      case 'P': pm = text.toLowerCase().startsWith('p'); continue;
      case 'f': values.f = Number((toAsciiDigits(text).replace(/[^0-9]/g, '') + '000').slice(0, 3)); continue;
      case 'F': case 'W': case 'w': case 'X': case 'x': continue; // not needed to fix the instant
    }
    const value = m.names ? nameIndex(text, MONTH_NAMES) + 1 : styleValue(text, m.style!);
    if (value === undefined || (value === 0 && m.names)) return undefined;
    values[m.component] = value;
  }
  if (values.h !== undefined) values.H = pm === undefined ? values.h : (values.h % 12) + (pm ? 12 : 0);

  const fields = matcher.dayOfYear ? ORDINAL_FIELDS : DATE_FIELDS;
  const first = fields.findIndex((f) => values[f] !== undefined);
  if (first > 0) {
    const now = new Date();
    const nowValues: Record<string, number> = {
      Y: now.getUTCFullYear(), M: now.getUTCMonth() + 1, D: now.getUTCDate(),
      d: Math.floor((now.getTime() - utcMillis(now.getUTCFullYear(), 1, 1, 0, 0, 0, 0)) / 86_400_000) + 1,
      H: now.getUTCHours(), m: now.getUTCMinutes(), s: now.getUTCSeconds(), f: now.getUTCMilliseconds(),
    };
    for (let i = 0; i < first; i++) values[fields[i]] = nowValues[fields[i]];
  }
  const get = (f: string, fallback: number) => values[f] ?? fallback;
  // as jsonata-js (via Date.UTC): a year below 100 is read as 19xx ("[Y01]" reading "56" gives 1956)
  const rawYear = get('Y', 0);
  const year = rawYear >= 0 && rawYear < 100 ? 1900 + rawYear : rawYear;
  const hour = get('H', 0);
  const minute = get('m', 0);
  const second = get('s', 0);
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let millis: number;
  if (matcher.dayOfYear) {
    const day = get('d', 1);
    if (day < 1 || day > (daysInMonth(year, 2) === 29 ? 366 : 365)) return undefined;
    millis = utcMillis(year, 1, day, hour, minute, second, get('f', 0));
  } else {
    const month = get('M', 1);
    const day = get('D', 1);
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
    millis = utcMillis(year, month, day, hour, minute, second, get('f', 0));
  }
  return millis - offset * 60_000;
}
