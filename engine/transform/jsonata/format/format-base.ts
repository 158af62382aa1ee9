/** $formatBase: an integer in radix 2..36 (value and radix rounded half-to-even, as JSONata's $round does). */
import { fail, withToken } from './errors.js';

export function roundHalfToEven(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function formatBaseImpl(value: number | undefined, radix?: number): string | undefined {
  if (value === undefined) return undefined;
  const r = radix === undefined ? 10 : roundHalfToEven(radix);
  if (!(r >= 2 && r <= 36)) fail('D3100', `The radix of the formatBase function must be between 2 and 36. It was given ${radix}`);
  const n = roundHalfToEven(value);
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) < 9007199254740992) return n.toString(r);
  return BigInt(n).toString(r);
}

export function formatBase(value: number | undefined, radix?: number): string | undefined {
  try {
    return formatBaseImpl(value, radix);
  } catch (error) {
    throw withToken(error, 'formatBase');
  }
}
