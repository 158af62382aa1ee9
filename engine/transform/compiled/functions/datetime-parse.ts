/** $toMillis with a picture string: builds a matcher from the picture and assembles a UTC timestamp. */
import { jerr } from '../errors.js';
import { state } from '../runtime.js';
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

function contiguous(present: boolean[]): boolean {
  const first = present.indexOf(true);
  if (first < 0) return true;
  const last = present.lastIndexOf(true);
  return present.slice(first, last + 1).every(Boolean);
}

interface Matcher {
  markers: Marker[];
  regex: RegExp;
}

const MATCHERS = new Map<string, Matcher>();

function matcherFor(picture: string): Matcher {
  const cached = MATCHERS.get(picture);
  if (cached) return cached;
  const parts = analysePicture(picture);
  const markers: Marker[] = [];
  let re = '^';
  for (const p of parts) {
    if ('literal' in p) re += p.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else {
      markers.push(p.marker);
      re += pattern(p.marker);
    }
  }
  const has = (c: string) => markers.some((m) => m.component === c);
  if (['X', 'W', 'w', 'x'].some(has)) throw jerr('D3136', {});
  const dateOk = has('d') ? !has('M') && !has('D') : contiguous([has('Y'), has('M'), has('D')]);
  const timeParts = [has('H') || has('h'), has('m'), has('s'), has('f')];
  const timeOk = contiguous(timeParts) && (timeParts[0] || !timeParts.some(Boolean));
  if (!dateOk || !timeOk) throw jerr('D3136', {});
  const m: Matcher = { markers, regex: new RegExp(re + '$') };
  if (MATCHERS.size > 500) MATCHERS.clear();
  MATCHERS.set(picture, m);
  return m;
}

export function parseDateTime(timestamp: string, picture: string): number | undefined {
  const { markers, regex } = matcherFor(picture);
  const has = (c: string) => markers.some((m) => m.component === c);
  const match = regex.exec(timestamp);
  if (!match || markers.length === 0) return undefined;
  const v: Record<string, number> = {};
  let pm: boolean | undefined;
  let offset = 0;
  markers.forEach((m, i) => {
    const text = match[i + 1];
    switch (m.component) {
      case 'P':
        pm = text.toLowerCase() === 'pm';
        break;
      case 'Z':
      case 'z':
        offset = tzOffset(text);
        break;
      case 'f':
        v.f = Math.floor(parseFloat('0.' + text) * 1000);
        break;
      case 'M':
      case 'x':
        v[m.component] = m.names ? nameIndex(MONTHS, text) + 1 : parseWith(text, m.integer!);
        break;
      case 'F':
        v.F = m.names ? nameIndex(DAYS, text) + 1 : parseWith(text, m.integer!);
        break;
      case 'C':
      case 'E':
        break;
      default:
        v[m.component] = parseWith(text, m.integer!);
    }
  });
  // unspecified leading components come from the evaluation's fixed timestamp (the one $now() returns)
  const now = new Date(state.now);
  const noDate = !has('Y') && !has('M') && !has('D') && !has('d');
  // a year of 0-99 means 1900-1999, as in jsonata-js (which builds the instant with Date.UTC)
  const year = v.Y === undefined ? now.getUTCFullYear() : v.Y >= 0 && v.Y < 100 ? v.Y + 1900 : v.Y;
  let hour = v.H ?? 0;
  if (v.h !== undefined) hour = (v.h % 12) + (pm ? 12 : 0);
  const d = new Date(0);
  if (noDate) d.setUTCFullYear(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  else if (v.d !== undefined) d.setUTCFullYear(year, 0, v.d);
  else d.setUTCFullYear(year, (v.M ?? 1) - 1, v.D ?? 1);
  d.setUTCHours(hour, v.m ?? 0, v.s ?? 0, v.f ?? 0);
  return d.getTime() - offset * 60000;
}
