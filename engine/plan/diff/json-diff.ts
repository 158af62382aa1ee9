/** Differences between two JSON values, by JSON path: what a failing spec test and a plan diff print. */

export interface JsonDifference {
  path: string;
  expected: unknown;
  actual: unknown;
}

/** Every path where `actual` differs from `expected` (exact comparison). */
export function jsonDiff(expected: unknown, actual: unknown, path = ''): JsonDifference[] {
  if (isObject(expected) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    return keys.flatMap((k) => jsonDiff(expected[k], actual[k], join(path, k)));
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const length = Math.max(expected.length, actual.length);
    return Array.from({ length }, (_, i) => jsonDiff(expected[i], actual[i], `${path}[${i}]`)).flat();
  }
  return JSON.stringify(expected) === JSON.stringify(actual) ? [] : [{ path: path || '$', expected, actual }];
}

/** Paths where `actual` does not contain `expected` (a subset match: extra fields in `actual` are fine). */
export function subsetDiff(expected: unknown, actual: unknown, path = ''): JsonDifference[] {
  if (isObject(expected) && isObject(actual))
    return Object.keys(expected).flatMap((k) => subsetDiff(expected[k], actual[k], join(path, k)));
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length)
    return expected.flatMap((e, i) => subsetDiff(e, actual[i], `${path}[${i}]`));
  return JSON.stringify(expected) === JSON.stringify(actual) ? [] : [{ path: path || '$', expected, actual }];
}

/** The value at a dotted path, or undefined. */
export function valueAt(value: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((v, key) => (isObject(v) ? v[key] : undefined), value);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function join(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${JSON.stringify(key)}]`;
}
