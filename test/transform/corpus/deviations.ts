/**
 * Corpus cases where Junction deliberately differs from jsonata-js 2.2.2. Each entry names the section of
 * docs/jsonata-engine.md ("Deviations") that gives the reason.
 */
interface Deviation {
  expr: string;
  reason: string;
}

const ASTRAL_DIGITS = 'astral digit families: $formatNumber reads pictures by code point';
const BAD_OPTION = 'invalid decimal-format options: a separator must be one character';

export const DEVIATIONS: Deviation[] = [
  { expr: '$formatNumber(1234.5678, "𝟎𝟎.𝟎𝟎𝟎e𝟎", {"zero-digit": "𝟎"})', reason: ASTRAL_DIGITS },
  { expr: '$formatNumber(1234.5678, "𝟎𝟎.𝟎𝟎𝟎e𝟎", {"zero-digit": "\\ud835\\udfce"})', reason: ASTRAL_DIGITS },
  { expr: "$formatNumber(1, '#', {'decimal-separator': '!!'})", reason: BAD_OPTION },
  { expr: "$formatNumber(1, '#', {'decimal-separator': 1})", reason: BAD_OPTION },
  { expr: "$formatNumber(1 % 0, '#')", reason: '$formatNumber of NaN is the NaN string (jsonata-js: "-NaN")' },
  {
    expr: "$formatNumber(1/0, '#', {'infinity': 'foo'})",
    reason: '$formatNumber of Infinity uses the infinity option',
  },
];

const BY_EXPR = new Map(DEVIATIONS.map((d) => [d.expr, d]));

export function deviationFor(expr: string): Deviation | undefined {
  return BY_EXPR.get(expr);
}
