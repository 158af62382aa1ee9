/** $toMillis with a picture string: builds a matcher from the picture and assembles a UTC timestamp. */
import { jerr } from '../errors.js';
import { readClock } from '../guards.js';
import type { Marker } from './datetime-picture.js';
import { analysePicture, DAYS, MONTHS } from './datetime-picture.js';
import { parseWith } from './format-integer.js';

const WORDS = '[a-zA-Z]+(?:[ ,\\-]+[a-zA-Z]+)*?';

function pattern(m: Marker): string {
  if (m.component === 'Z') return '(Z|[+-]\\d{1,2}:?\\d{0,2})';
  if (m.component === 'z') return '(GMT[+-]\\d{1,2}(?::?\\d{2})?)';
  if (m.component === 'f') return '(\\d+)';
  if (m.component === 'P') return '([aApP][mM])';
  if (m.names) return '([a-zA-Z]+)';
  const fmt = m.integer;
  if (!fmt) return '(.+?)';
  switch (fmt.kind) {
    case 'letters':
      return fmt.case === 'upper' ? '([A-Z]+)' : '([a-z]+)';
    case 'roman':
      return fmt.case === 'upper' ? '([MDCLXVI]*)' : '([mdclxvi]*)';
    case 'words':
      return `(${WORDS})`;
    default: {
      const digits = m.presentation.replace(/[^0-9]/g, '');
      const fixed = !m.presentation.includes('#') && digits.length > 1;
      let d = fixed ? `\\d{${digits.length}}` : m.maxWidth !== undefined ? `\\d{1,${m.maxWidth}}` : '\\d+';
      if (fmt.zero !== 0x30) d = `[${String.fromCodePoint(fmt.zero)}-${String.fromCodePoint(fmt.zero + 9)}]+`;
      return `(${d}${fmt.ordinal ? '(?:st|nd|rd|th)' : ''})`;
    }
  }
}

function nameIndex(names: string[], text: string): number {
  const t = text.toLowerCase();
  return names.findIndex((n) => n.toLowerCase() === t || (t.length >= 3 && n.toLowerCase().startsWith(t)));
}

function tzOffset(text: string): number {
  if (text === 'Z') return 0;
  const m = /^(?:GMT)?([+-])(\d{1,2}):?(\d{2})?$/.exec(text);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

interface Matcher {
  markers: Marker[];
  regex: RegExp;
}

const MATCHERS = new Map<string, Matcher>();

function matcherFor(picture: string): Matcher {
  const cached = MATCHERS.get(picture);
  if (cached) return cached;
  const parts = analysePicture(picture, 'toMillis');
  const markers: Marker[] = [];
  let re = '^';
  for (const p of parts) {
    if ('literal' in p) re += p.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else {
      markers.push(p.marker);
      re += pattern(p.marker);
    }
  }
  if (markers.some((m) => 'XWwx'.includes(m.component))) throw jerr('D3136', {});
  const m: Matcher = { markers, regex: new RegExp(re + '$') };
  if (MATCHERS.size > 500) MATCHERS.clear();
  MATCHERS.set(picture, m);
  return m;
}

/** The components a matched timestamp gives (undefined: not in the picture, or a name that is no month/day). */
function components(markers: Marker[], match: RegExpExecArray): Record<string, number | undefined> {
  const v: Record<string, number | undefined> = {};
  markers.forEach((m, i) => {
    const text = match[i + 1];
    switch (m.component) {
      case 'P':
        v.P = text.toLowerCase() === 'pm' ? 1 : 0;
        break;
      case 'Z':
      case 'z':
        v[m.component] = tzOffset(text);
        break;
      case 'f':
        v.f = Math.floor(parseFloat('0.' + text.substring(0, 3)) * 1000);
        break;
      case 'M':
      case 'x':
        v[m.component] = m.names ? nameIndex(MONTHS, text) + 1 || undefined : parseWith(text, m.integer!);
        break;
      case 'F':
        v.F = m.names ? nameIndex(DAYS, text) + 1 || undefined : parseWith(text, m.integer!);
        break;
      case 'C':
      case 'E':
        break;
      default:
        v[m.component] = parseWith(text, m.integer!);
    }
  });
  return v;
}

/** Whether the given components are all among `allowed` (and there is at least one of `among`). */
function only(v: Record<string, number | undefined>, among: string, allowed: string): boolean {
  let any = false;
  for (const c of among) {
    if (v[c] === undefined) continue;
    if (!allowed.includes(c)) return false;
    any = true;
  }
  return any;
}

/** A component of the evaluation's timestamp, for components more significant than those given. */
function fromNow(now: Date, c: string): number {
  switch (c) {
    case 'Y':
      return now.getUTCFullYear();
    case 'M':
      return now.getUTCMonth() + 1;
    case 'D':
      return now.getUTCDate();
    case 'H':
      return now.getUTCHours();
    case 'h':
      return now.getUTCHours() % 12 || 12;
    case 'P':
      return now.getUTCHours() >= 12 ? 1 : 0;
    case 'm':
      return now.getUTCMinutes();
    case 's':
      return now.getUTCSeconds();
    case 'f':
      return now.getUTCMilliseconds();
    default:
      return 0;
  }
}

/**
 * Assembles the instant as jsonata-js does (but a day of year may have a time, where jsonata-js gives D3136). The
 * date is {Y, M, D} or {Y, d} (week dates are D3136), the time {H, m, s,
 * f} or {P, h, m, s, f}. Walking from the most significant component, those before the first given one come from the
 * evaluation's timestamp (the one $now() returns), those after the last given one are their minimum, and a gap
 * between given components is D3136.
 */
export function parseDateTime(timestamp: string, picture: string): number | undefined {
  const { markers, regex } = matcherFor(picture);
  const match = regex.exec(timestamp);
  if (!match) return undefined;
  const v = components(markers, match);
  if (Object.values(v).every((x) => x === undefined)) return undefined;
  const dateB = !only(v, 'YXMxWwdD', 'YMD') && only(v, 'YXMxWwdD', 'Yd');
  const timeB = !only(v, 'PHhmsf', 'Hmsf') && only(v, 'PHhmsf', 'Phmsf');
  const now = new Date(readClock());
  let started = false;
  let ended = false;
  for (const c of (dateB ? 'Yd' : 'YMD') + (timeB ? 'Phmsf' : 'Hmsf')) {
    if (v[c] === undefined) {
      if (started) {
        v[c] = c === 'M' || c === 'D' ? 1 : 0;
        ended = true;
      } else v[c] = fromNow(now, c);
    } else {
      started = true;
      if (ended) throw jerr('D3136', {});
    }
  }
  let month = (v.M as number) > 0 ? (v.M as number) - 1 : 0;
  let day = v.D as number;
  if (dateB) {
    const derived = new Date(Date.UTC(v.Y as number, 0) + ((v.d as number) - 1) * 86_400_000);
    month = derived.getUTCMonth();
    day = derived.getUTCDate();
  }
  let hour = v.H as number;
  if (timeB) hour = (v.h === 12 ? 0 : (v.h as number)) + (v.P === 1 ? 12 : 0);
  // Date.UTC reads a year of 0-99 as 1900-1999, as in jsonata-js
  const millis = Date.UTC(v.Y as number, month, day, hour, v.m as number, v.s as number, v.f as number);
  const offset = v.Z ?? v.z;
  return offset ? millis - offset * 60_000 : millis;
}
