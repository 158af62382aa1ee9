/**
 * A count given on the command line (`--limit 50`, `--concurrency 8`): a whole number from 1, and at most `max` when
 * there is one; anything else stops the command with a usage error naming the flag and the value.
 */
import { UsageError } from './usage-error.js';

export function countOption(flag: string, text: string, max?: number): number {
  const n = Number(text);
  if (/^[1-9]\d*$/.test(text) && (max === undefined || n <= max)) return n;
  throw new UsageError(
    max === undefined
      ? `${flag} must be a positive whole number, got ${JSON.stringify(text)}`
      : `${flag} must be a whole number from 1 to ${max}, got ${JSON.stringify(text)}`,
  );
}
