/** Durations in specs are `<integer><unit>` (schema-checked): 500ms, 10s, 15m, 1h; CLI options also take days (30d). */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match)
    throw new Error(`invalid duration ${JSON.stringify(text)}: use a whole number followed by ms, s, m, h or d`);
  return Number(match[1]) * UNIT_MS[match[2]];
}
