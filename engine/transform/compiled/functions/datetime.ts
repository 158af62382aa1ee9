/** Date/time functions: $now, $millis, $fromMillis, $toMillis (ISO 8601 and XPath picture strings). */
import { jerr } from '../errors.js';
import type { NativeFn } from '../runtime.js';
import { readClock } from '../guards.js';
import { formatDateTime, parseDateTime } from './datetime-picture.js';
import { native } from './registry.js';

const ISO = /^\d{4}(-[01]\d)?(-[0-3]\d)?(T[0-2]\d:[0-5]\d:[0-5]\d)?(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$/;

export function fromMillis(millis?: number, picture?: string, timezone?: string): string | undefined {
  if (millis === undefined) return undefined;
  return formatDateTime(millis, picture, timezone);
}

function toMillis(timestamp?: string, picture?: string): number | undefined {
  if (timestamp === undefined) return undefined;
  if (picture === undefined) {
    if (!ISO.test(timestamp)) throw jerr('D3110', { value: timestamp });
    return Date.parse(timestamp);
  }
  return parseDateTime(timestamp, picture);
}

export const datetimeFunctions: NativeFn[] = [
  native('now', '<s?s?:s>', (picture?: string, tz?: string) => fromMillis(readClock(), picture, tz)),
  native('millis', '<:n>', () => readClock()),
  native('fromMillis', '<n-s?s?:s>', fromMillis),
  native('toMillis', '<s-s?:n>', toMillis),
];
