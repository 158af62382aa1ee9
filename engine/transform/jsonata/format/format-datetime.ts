/** $fromMillis / fn:format-dateTime: formats epoch milliseconds with a date/time picture in a timezone. */
import type { DateParts } from './calendar.js';
import { DAY_NAMES, MONTH_NAMES, dateParts, formatTimezone, parseTimezone } from './calendar.js';
import type { Marker, NameCase } from './datetime-picture.js';
import { ISO_PICTURE, parseDatePicture } from './datetime-picture.js';
import { toFamily } from './digits.js';
import { formatWithStyle } from './format-integer.js';
import { withToken } from './errors.js';

function caseName(name: string, names: NameCase, maxWidth: number | undefined): string {
  const cased = names === 'upper' ? name.toUpperCase() : names === 'lower' ? name.toLowerCase() : name;
  return maxWidth !== undefined && cased.length > maxWidth ? cased.slice(0, maxWidth) : cased;
}

function integerValue(m: Marker, p: DateParts): number {
  switch (m.component) {
    case 'Y': return p.year;
    case 'M': return p.month;
    case 'D': return p.day;
    case 'd': return p.dayOfYear;
    case 'F': return p.dayOfWeek;
    case 'W': return p.isoWeek;
    case 'w': return p.weekOfMonth;
    case 'X': return p.isoYear;
    case 'x': return p.weekMonth;
    case 'H': return p.hour;
    case 'h': return p.hour % 12 === 0 ? 12 : p.hour % 12;
    case 'm': return p.minute;
    case 's': return p.second;
    default: return p.millisecond;
  }
}

function formatFraction(m: Marker, ms: number): string {
  const style = m.style!;
  if (style.kind !== 'decimal') return formatWithStyle(ms, style, m.ordinal);
  let digits = String(ms).padStart(3, '0');
  const min = Math.max(style.mandatory, m.minWidth ?? 0);
  if (digits.length < min) digits += '0'.repeat(min - digits.length);
  if (m.maxWidth !== undefined && digits.length > Math.max(m.maxWidth, 1)) digits = digits.slice(0, Math.max(m.maxWidth, 1));
  return toFamily(digits, style.zero);
}

function formatMarker(m: Marker, p: DateParts, offset: number): string {
  switch (m.component) {
    case 'Z': return formatTimezone(offset, m.presentation, m.traditional, false);
    case 'z': return formatTimezone(offset, m.presentation, m.traditional, true);
    case 'C':
    case 'E': return 'ISO';
    case 'P': return caseName(p.hour < 12 ? 'am' : 'pm', m.names ?? 'lower', m.maxWidth);
    case 'f': return formatFraction(m, p.millisecond);
  }
  if (m.names) {
    const name = m.component === 'F' ? DAY_NAMES[p.dayOfWeek - 1] : MONTH_NAMES[(m.component === 'x' ? p.weekMonth : p.month) - 1];
    return caseName(name, m.names, m.maxWidth);
  }
  const style = m.style!;
  let value = integerValue(m, p);
  if (style.kind !== 'decimal') return formatWithStyle(value, style, m.ordinal);
  // the width modifier adjusts the mandatory digits of the pattern, a maximum width overriding it
  let digits = Math.max(style.mandatory, m.minWidth ?? 0);
  if (m.maxWidth !== undefined) digits = Math.max(1, Math.min(digits, m.maxWidth));
  // the year keeps its last N digits: N is the maximum width, or the number of mandatory digits when two or more
  if (m.component === 'Y' && (m.maxWidth !== undefined || digits >= 2)) value = value % 10 ** (m.maxWidth ?? digits);
  return formatWithStyle(value, style, m.ordinal, digits);
}

function fromMillisImpl(millis: number | undefined, picture?: string, timezone?: string): string | undefined {
  if (millis === undefined) return undefined;
  if (picture === undefined && (timezone === undefined || timezone === '+0000' || timezone === '0000')) {
    // the default ISO 8601 picture in UTC is exactly toISOString() for years 0-9999
    if (millis >= -62167219200000 && millis <= 253402300799999) return new Date(millis).toISOString();
  }
  const pic = parseDatePicture(picture ?? ISO_PICTURE);
  const offset = timezone === undefined ? 0 : parseTimezone(timezone);
  const parts = dateParts(millis, offset);
  if (parts === undefined) return undefined;
  let out = '';
  for (const part of pic.parts) out += typeof part === 'string' ? part : formatMarker(part, parts, offset);
  return out;
}

export function fromMillis(millis: number | undefined, picture?: string, timezone?: string): string | undefined {
  try {
    return fromMillisImpl(millis, picture, timezone);
  } catch (error) {
    throw withToken(error, 'fromMillis');
  }
}
