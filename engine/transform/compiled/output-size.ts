/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * The serialized size of a value, counted without serializing it. A result can share one large string or array many
 * times (`[1..40].{"k": $big}`), so its JSON can be far larger than the memory it holds; the output guard counts
 * what a caller would write. The walk uses an explicit stack (results can be nested deeper than the JS stack) and
 * stops as soon as the count passes the limit.
 */
/** Characters of a scalar's JSON text, or -1 for an object or array (walked by `jsonSize`). */
function scalarSize(v: any): number {
  switch (typeof v) {
    case 'string':
      return v.length + 2;
    case 'number':
      // exact for integers; other numbers are written with at most 22 characters
      return Number.isInteger(v) ? integerDigits(v) : 22;
    case 'boolean':
      return 5;
    case 'object':
      return v === null ? 4 : -1;
    default:
      return 0;
  }
}

function integerDigits(v: number): number {
  const sign = v < 0 ? 1 : 0;
  const a = sign ? -v : v;
  if (a < 10) return 1 + sign;
  if (a < 100) return 2 + sign;
  if (a < 1e4) return (a < 1000 ? 3 : 4) + sign;
  return Math.floor(Math.log10(a)) + 1 + sign;
}

/**
 * Characters of `value`'s JSON text (a top-level string counts its length), or -1 once it exceeds `limit`; `pace` is
 * told of every 4,096 items and keys walked (the guards look at the clock: the walk of ten million items is long).
 * Scalars inside a container are counted where they stand; only nested containers go on a stack (made when the
 * first one is met: a flat result, the usual, needs none). Keys are enumerated with `for…in` (no key array per
 * object); a result holds plain objects, so that is the own keys JSON writes.
 */
export function jsonSize(value: any, limit: number, pace?: (items: number) => void): number {
  if (typeof value === 'string') return value.length > limit ? -1 : value.length;
  if (value === null || typeof value !== 'object') return 0;
  let size = 0;
  let walked = 0;
  let stack: any[] | undefined;
  let v = value;
  for (;;) {
    if (Array.isArray(v)) {
      size += 2 + v.length;
      for (let i = 0; i < v.length; i++) {
        const item = v[i];
        const n = scalarSize(item);
        if (n >= 0) size += n;
        else (stack ??= []).push(item);
        if ((++walked & 4095) === 0) {
          if (size > limit) return -1;
          pace?.(4096);
        }
      }
    } else if (v._jsonata_lambda !== true && v._jsonata_function !== true) {
      size += 2;
      for (const k in v) {
        const item = v[k];
        const n = scalarSize(item);
        size += k.length + 4 + (n >= 0 ? n : 0);
        if (n < 0) (stack ??= []).push(item);
        if ((++walked & 4095) === 0) {
          if (size > limit) return -1;
          pace?.(4096);
        }
      }
    }
    if (size > limit) return -1;
    if (stack === undefined || stack.length === 0) return size;
    v = stack.pop();
  }
}
