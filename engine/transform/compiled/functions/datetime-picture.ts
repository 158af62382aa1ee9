/** XPath date/time picture strings (`[Y0001]-[M01]-[D01]`): analysis and formatting for $fromMillis/$now. */
import { jerr } from '../errors.js';
import { checkPicture } from '../guards.js';
import type { IntegerFormat } from './format-integer.js';
import { analyseInteger, formatWith } from './format-integer.js';

export const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
export const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export interface Marker {
  component: string;
  presentation: string;
  names?: 'upper' | 'lower' | 'title';
  ordinal: boolean;
  tzZ: boolean;
  integer?: IntegerFormat;
  minWidth?: number;
  maxWidth?: number;
  /** `[Y…]` only: the year is written modulo 10^yearDigits (§9.8.4.4; `[Y01]` → "18"). */
  yearDigits?: number;
}

type PicturePart = { literal: string } | { marker: Marker };

const DEFAULT_PRESENTATION: Record<string, string> = {
  Y: '1',
  M: '1',
  D: '1',
  d: '1',
  F: 'n',
  W: '1',
  w: '1',
  X: '1',
  x: '1',
  H: '1',
  h: '1',
  P: 'n',
  m: '01',
  s: '01',
  f: '1',
  Z: '01:01',
  z: '01:01',
  C: 'n',
  E: 'n',
};
const NAMED = new Set(['M', 'F', 'x', 'P', 'C', 'E']);

function marker(spec: string): Marker {
  const component = spec[0];
  if (DEFAULT_PRESENTATION[component] === undefined) throw jerr('D3132', { value: component });
  let rest = spec.substring(1);
  let minWidth: number | undefined;
  let maxWidth: number | undefined;
  const comma = rest.lastIndexOf(',');
  if (comma >= 0) {
    const width = rest.substring(comma + 1);
    const m = /^(\*|\d+)(?:-(\*|\d+))?$/.exec(width);
    if (m) {
      rest = rest.substring(0, comma);
      if (m[1] !== '*') minWidth = Number(m[1]);
      if (m[2] !== undefined && m[2] !== '*') maxWidth = Number(m[2]);
    }
  }
  let presentation = rest === '' ? DEFAULT_PRESENTATION[component] : rest;
  let ordinal = false;
  let tzZ = false;
  if (component === 'Z' || component === 'z') {
    if (presentation.endsWith('t')) {
      tzZ = true;
      presentation = presentation.slice(0, -1);
    }
  } else if (presentation.length > 1 && presentation.endsWith('o')) {
    ordinal = true;
    presentation = presentation.slice(0, -1);
  }
  const result: Marker = { component, presentation, ordinal, tzZ, minWidth, maxWidth };
  if (component === 'Z' || component === 'z') {
    // a timezone is an offset in an integer picture; a name there has no digits (D3134 when formatting, as jsonata-js)
  } else if (presentation[0] === 'N' || (presentation === 'n' && NAMED.has(component))) {
    if (!NAMED.has(component)) throw jerr('D3133', { value: component });
    result.names = presentation === 'N' ? 'upper' : presentation === 'n' ? 'lower' : 'title';
  } else if (presentation === 'n') {
    throw jerr('D3133', { value: component });
  } else if (component !== 'f') {
    result.integer = analyseInteger(presentation + (ordinal ? ';o' : ''));
    if (minWidth !== undefined && result.integer.kind === 'decimal' && result.integer.mandatory < minWidth)
      result.integer.mandatory = minWidth;
    if (component === 'Y' && result.integer.kind === 'decimal') {
      // as jsonata-js: a maximum width, else a picture of two or more digits (`0`-`9` and `#`), truncates the year
      if (maxWidth !== undefined) result.yearDigits = result.integer.mandatory = maxWidth;
      else {
        const digits = result.integer.mandatory + (presentation.match(/#/g)?.length ?? 0);
        if (digits >= 2) result.yearDigits = digits;
      }
    }
  }
  return result;
}

const CACHE = new Map<string, PicturePart[]>();

/** Analysed pictures are cached: expressions usually pass the same literal picture on every evaluation. */
export function analysePicture(picture: string, fn = 'fromMillis'): PicturePart[] {
  let parts = CACHE.get(picture);
  if (parts === undefined) {
    checkPicture(picture, fn);
    parts = analyse(picture);
    if (CACHE.size > 500) CACHE.clear();
    CACHE.set(picture, parts);
  }
  return parts;
}

/** Whether a marker has no closing `]`, scanned as jsonata-js does (`[[` is a literal; a marker ends at its `]`). */
function hasUnclosedMarker(picture: string): boolean {
  for (let i = 0; i < picture.length; i++) {
    if (picture[i] !== '[') continue;
    if (picture[i + 1] === '[') i++;
    else {
      i = picture.indexOf(']', i);
      if (i < 0) return true;
    }
  }
  return false;
}

function analyse(picture: string): PicturePart[] {
  const parts: PicturePart[] = [];
  if (hasUnclosedMarker(picture)) throw jerr('D3135', {});
  let literal = '';
  let i = 0;
  while (i < picture.length) {
    const c = picture[i];
    if (c === '[' && picture[i + 1] === '[') {
      literal += '[';
      i += 2;
    } else if (c === ']' && picture[i + 1] === ']') {
      literal += ']';
      i += 2;
    } else if (c === '[') {
      const end = picture.indexOf(']', i);
      if (end < 0) throw jerr('D3135', {});
      if (literal) parts.push({ literal });
      literal = '';
      parts.push({ marker: marker(picture.substring(i + 1, end).replace(/\s+/g, '')) });
      i = end + 1;
    } else {
      literal += c;
      i++;
    }
  }
  if (literal) parts.push({ literal });
  return parts;
}

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000) + 1;
}

/** The Thursday of the (Monday-based) week containing `d`: it decides week-numbering year and month. */
function thursdayOf(d: Date): Date {
  const dow = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() + (3 - dow) * 86400000);
}

function offsetMinutes(tz?: string): number {
  if (!tz) return 0;
  const m = /^([+-]?)(\d{2}):?(\d{2})$/.exec(tz);
  // jsonata-js prints NaN fields here; a wrong time written to a target is worse than a clear error.
  if (!m)
    throw jerr('D3137', {
      message: `$fromMillis(): the timezone "${tz}" is not an offset such as "+0100" or "-05:00"`,
    });
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function formatName(name: string, m: Marker): string {
  let s = m.names === 'upper' ? name.toUpperCase() : m.names === 'lower' ? name.toLowerCase() : name;
  if (m.maxWidth !== undefined) s = s.substring(0, m.maxWidth);
  return s;
}

function formatTimezone(offset: number, m: Marker): string {
  if (offset === 0 && m.tzZ) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const hh = Math.floor(abs / 60);
  const mm = abs % 60;
  const digits = m.presentation.replace(/[^0-9]/g, '');
  if (digits.length > 4 || digits.length === 0) throw jerr('D3134', {});
  const sepMatch = /^\d+(\D)\d+$/.exec(m.presentation);
  let out: string;
  if (digits.length <= 2) {
    out = String(hh).padStart(digits.length, '0') + (mm !== 0 ? ':' + String(mm).padStart(2, '0') : '');
  } else {
    const hlen = sepMatch ? m.presentation.indexOf(sepMatch[1]) : digits.length - 2;
    out = String(hh).padStart(hlen, '0') + (sepMatch ? sepMatch[1] : '') + String(mm).padStart(2, '0');
  }
  return (m.component === 'z' ? 'GMT' : '') + sign + out;
}

/** A component's number in its integer picture. */
function int(v: number, m: Marker): string {
  return formatWith(v, m.integer as IntegerFormat);
}

function component(d: Date, m: Marker, offset: number): string {
  switch (m.component) {
    case 'Y':
      return int(m.yearDigits === undefined ? d.getUTCFullYear() : d.getUTCFullYear() % Math.pow(10, m.yearDigits), m);
    case 'M':
      return m.names ? formatName(MONTHS[d.getUTCMonth()], m) : int(d.getUTCMonth() + 1, m);
    case 'D':
      return int(d.getUTCDate(), m);
    case 'd':
      return int(dayOfYear(d), m);
    case 'F':
      return m.names ? formatName(DAYS[(d.getUTCDay() + 6) % 7], m) : int(((d.getUTCDay() + 6) % 7) + 1, m);
    case 'W':
      return int(Math.floor((dayOfYear(thursdayOf(d)) - 1) / 7) + 1, m);
    case 'X':
      return int(thursdayOf(d).getUTCFullYear(), m);
    case 'w':
      return int(Math.floor((thursdayOf(d).getUTCDate() - 1) / 7) + 1, m);
    case 'x': {
      const month = thursdayOf(d).getUTCMonth();
      return m.names ? formatName(MONTHS[month], m) : int(month + 1, m);
    }
    case 'H':
      return int(d.getUTCHours(), m);
    case 'h':
      return int(d.getUTCHours() % 12 === 0 ? 12 : d.getUTCHours() % 12, m);
    case 'P':
      return formatName(d.getUTCHours() < 12 ? 'am' : 'pm', m);
    case 'm':
      return int(d.getUTCMinutes(), m);
    case 's':
      return int(d.getUTCSeconds(), m);
    case 'f': {
      const n = m.presentation.replace(/[^0-9#]/g, '').length || 1;
      const ms = String(d.getUTCMilliseconds()).padStart(3, '0');
      return n <= 3 ? ms.substring(0, n) : ms.padEnd(n, '0');
    }
    case 'Z':
    case 'z':
      return formatTimezone(offset, m);
    default:
      return 'ISO';
  }
}

export function formatDateTime(millis: number, picture?: string, timezone?: string): string {
  const offset = offsetMinutes(timezone);
  if (picture === undefined) {
    // toISOString only for years 0000-9999: beyond them (and outside the Date range, where it throws) the picture
    // below gives jsonata-js's text
    if (offset === 0 && millis >= -62167219200000 && millis < 253402300800000) return new Date(millis).toISOString();
    picture = '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]';
  }
  const d = new Date(millis + offset * 60000);
  let out = '';
  for (const part of analysePicture(picture))
    out += 'literal' in part ? part.literal : component(d, part.marker, offset);
  return out;
}

export { parseDateTime } from './datetime-parse.js';
