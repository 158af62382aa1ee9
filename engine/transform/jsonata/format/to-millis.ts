/**
 * $toMillis: epoch milliseconds of an ISO 8601 timestamp, or of a timestamp written with a date/time picture.
 * Without a picture the accepted forms are YYYY, YYYY-MM, YYYY-MM-DD and YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh[:]mm];
 * a time without an offset is UTC (not the host's local time). Anything else, or an impossible date, is D3110.
 */
import { daysInMonth, utcMillis } from './calendar.js';
import { fail, withToken } from './errors.js';
import { parseDateTime } from './parse-datetime.js';

const ISO = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$/;

function invalid(timestamp: string): never {
  fail('D3110', `The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given "${timestamp}"`);
}

function parseIso(timestamp: string): number {
  const m = ISO.exec(timestamp);
  if (!m) invalid(timestamp);
  const year = Number(m[1]);
  const month = m[2] === undefined ? 1 : Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number((m[7] + '00').slice(0, 3));
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    invalid(timestamp);
  }
  let offset = 0;
  const tz = m[8];
  if (tz !== undefined && tz !== 'Z') {
    const digits = tz.replace(':', '');
    const minutes = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
    if (Number(digits.slice(3, 5)) > 59) invalid(timestamp);
    offset = digits[0] === '-' ? -minutes : minutes;
  }
  return utcMillis(year, month, day, hour, minute, second, ms) - offset * 60_000;
}

function toMillisImpl(timestamp: string | undefined, picture?: string): number | undefined {
  if (timestamp === undefined) return undefined;
  return picture === undefined ? parseIso(timestamp) : parseDateTime(timestamp, picture);
}

export function toMillis(timestamp: string | undefined, picture?: string): number | undefined {
  try {
    return toMillisImpl(timestamp, picture);
  } catch (error) {
    throw withToken(error, 'toMillis');
  }
}
