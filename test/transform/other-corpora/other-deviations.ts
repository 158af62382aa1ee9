/**
 * Cases of the other corpora where Junction deliberately differs from jsonata-js 2.2.2, each with the reason given in
 * docs/jsonata-engine.md ("Deviations").
 */
interface OtherDeviation {
  expr: string;
  reason: string;
}

const TIMEZONE = '$fromMillis reads its timezone as ±HHMM or ±HH:MM, else D3137 (jsonata-js prints NaN fields)';
const FRACTION = '[f] follows the spec: the picture gives the number of fraction digits (jsonata-js: milliseconds)';

export const OTHER_DEVIATIONS: OtherDeviation[] = [
  { expr: '$toMillis("2023-06-01 10:00 +0200", "[Y]-[M]-[D] [H]:[m] [Z]")', reason: '$toMillis reads +0200 for [Z]' },
  { expr: '$fromMillis(1510067557121, "[Y0001]-[M01]-[D01]", "Europe/London")', reason: TIMEZONE },
  { expr: '$fromMillis(1510067557121, "[H]", "+5")', reason: TIMEZONE },
  { expr: '$fromMillis(1510067557121, "[D01]/[M01]/[Y0001]", "")', reason: 'an empty timezone is UTC' },
  { expr: '$fromMillis(1510067557121, "[H01]:[m01]", "-0130")', reason: 'negative half-hour offsets' },
  { expr: '$fromMillis(1510067557121, "[f1]")', reason: FRACTION },
  { expr: '$fromMillis(1510067557121, "[s01].[f01]")', reason: FRACTION },
  { expr: '$formatNumber(1e21, "0")', reason: '$formatNumber writes numbers of 1e21 or more in full' },
  {
    expr: '$substring(?)("x")',
    reason: 'a partially applied library function checks its signature (jsonata-js calls it unchecked)',
  },
  { expr: '$ ~> |$|{"__proto__": 5}|', reason: 'sandbox: a transform adds an own __proto__ key' },
];

const BY_EXPR = new Map(OTHER_DEVIATIONS.map((d) => [d.expr, d]));

export function otherDeviationFor(expr: string): OtherDeviation | undefined {
  return BY_EXPR.get(expr);
}
