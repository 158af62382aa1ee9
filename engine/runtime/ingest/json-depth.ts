/**
 * Nesting depth of JSON, counted without recursion. A poison event nested thousands of levels deep parses fine but
 * overflows the stack of every recursive walk after it (JSON.stringify at about 5,000 levels), so ingest refuses
 * events deeper than the documented limit, and the dead-letter queue keeps such events as raw text. Ingest measures
 * the parsed event (`JSON.parse` does not recurse, and the walk of a parsed order costs a fifth of a scan of its
 * bytes); the text is scanned only when it does not parse, so a body both too deep and malformed is still too deep.
 * A body ingest does not parse whole (identity-fields.ts) has its depth counted by the scan that checks it.
 */

/**
 * Events nested deeper than this are refused at webhook ingest (400 `too-deep`). Real payloads are shallow: the
 * seed fixtures reach 5 levels, and vendor documents (a Magento order with its shipping assignments and configurable
 * item options, a Stripe event) about 8; 64 leaves eight times that.
 */
export const MAX_EVENT_DEPTH = 64;

/** The depth of JSON text (`{` and `[` outside strings), or `limit + 1` as soon as it passes `limit`. */
export function jsonTextDepth(bytes: Uint8Array, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (inString) {
      if (b === 0x5c)
        i++; // backslash: skip the escaped character
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (b === 0x7d || b === 0x5d) depth--;
  }
  return max;
}

/** The depth of a parsed value (a scalar is 0, `{}` is 1), or `limit + 1` as soon as it passes `limit`. */
export function valueDepth(value: unknown, limit = Infinity): number {
  if (value === null || typeof value !== 'object') return 0;
  let max = 0;
  // Two parallel stacks rather than one of [value, depth] pairs: no allocation per value (ingest runs this per event).
  const values: object[] = [value];
  const depths: number[] = [1];
  while (values.length > 0) {
    const v = values.pop()!;
    const depth = depths.pop()!;
    if (depth > max && (max = depth) > limit) return max;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const child: unknown = v[i];
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in v) {
        const child: unknown = (v as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return max;
}
