/**
 * The ownership filter: a write sends only the fields its integration owns, plus the record's identity, so fields
 * that another system owns are never overwritten. Dotted owned paths keep nested fields; `*` keeps everything.
 */

export function filterOwnedFields(body: unknown, owned: readonly string[], identity: readonly string[]): unknown {
  if (owned.includes('*') || body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const keep = [...owned, ...identity];
  return pick(
    body as Record<string, unknown>,
    keep.map((p) => p.split('.')),
  );
}

/** Field paths of `body` that the filter would drop. */
export function droppedFields(
  body: unknown,
  owned: readonly string[],
  identity: readonly string[],
  prefix = '',
): string[] {
  if (owned.includes('*') || body === null || typeof body !== 'object' || Array.isArray(body)) return [];
  const dropped: string[] = [];
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const path = prefix + key;
    const keep = [...owned, ...identity];
    if (keep.includes(path)) continue;
    const nested = keep.filter((k) => k.startsWith(path + '.'));
    if (nested.length > 0 && value && typeof value === 'object' && !Array.isArray(value)) {
      dropped.push(...droppedFields(value, nested, [], path + '.').filter((p) => !keep.includes(p)));
    } else dropped.push(path);
  }
  return dropped;
}

function pick(record: Record<string, unknown>, paths: string[][]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const matching = paths.filter((p) => p[0] === key);
    if (matching.length === 0) continue;
    if (matching.some((p) => p.length === 1)) out[key] = value;
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      const inner = pick(
        value as Record<string, unknown>,
        matching.map((p) => p.slice(1)),
      );
      if (Object.keys(inner).length > 0) out[key] = inner;
    }
  }
  return out;
}
