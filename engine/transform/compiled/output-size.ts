/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * The serialized size of a value, counted without serializing it. A result can share one large string or array many
 * times (`[1..40].{"k": $big}`), so its JSON can be far larger than the memory it holds; the output guard counts
 * what a caller would write. The walk uses an explicit stack (results can be nested deeper than the JS stack) and
 * stops as soon as the count passes the limit.
 */
/** Characters of `value`'s JSON text (a top-level string counts its length), or -1 once it exceeds `limit`. */
export function jsonSize(value: any, limit: number): number {
  if (typeof value === 'string') return value.length > limit ? -1 : value.length;
  if (value === null || typeof value !== 'object') return 0;
  let size = 0;
  const stack: any[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    switch (typeof v) {
      case 'string':
        size += v.length + 2;
        break;
      case 'number':
        // exact for integers; other numbers are written with at most 22 characters
        size += Number.isInteger(v) ? Math.floor(Math.log10(Math.abs(v) || 1)) + (v < 0 ? 2 : 1) : 22;
        break;
      case 'boolean':
        size += 5;
        break;
      case 'object':
        if (v === null) size += 4;
        else if (Array.isArray(v)) {
          size += 2 + v.length;
          for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
        } else if (v._jsonata_lambda !== true && v._jsonata_function !== true) {
          const keys = Object.keys(v);
          size += 2 + keys.length;
          for (const k of keys) {
            size += k.length + 3;
            stack.push(v[k]);
          }
        }
        break;
      default:
        break;
    }
    if (size > limit) return -1;
  }
  return size;
}
