/** Durations in specs are `<integer><unit>` (schema-checked): 500ms, 10s, 15m, 1h. */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`invalid duration ${JSON.stringify(text)}: use a whole number followed by ms, s, m or h`);
  return Number(match[1]) * UNIT_MS[match[2]];
}
