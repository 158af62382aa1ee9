/** fn:format-number (XPath F&O 3.1 §4.7.5): formats a number with a decimal picture string. */
import type { Decimal } from './decimal.js';
import { fractionPart, integerDigits, integerPart, roundHalfEven, shift, toDecimal } from './decimal.js';
import { toFamily } from './digits.js';
import { insertSeparators } from './format-integer.js';
import type { SubPicture } from './number-picture.js';
import { parseNumberPicture } from './number-picture.js';
import { withToken } from './errors.js';

function insertFractionSeparators(digits: string, positions: number[], separator: string): string {
  if (positions.length === 0) return digits;
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    for (const p of positions) if (p === i && i > 0) out += separator;
    out += digits[i];
  }
  return out;
}

function mantissaAndExponent(d: Decimal, sub: SubPicture): { d: Decimal; exp: number } {
  if (d.digits === '') return { d, exp: 0 };
  let exp = d.point - sub.scaling;
  let m = roundHalfEven({ digits: d.digits, point: sub.scaling }, sub.maxFrac);
  if (m.point > sub.scaling) {
    // rounding carried into a new digit (9.99 -> 10.0): renormalise to 1.00 with the next exponent
    exp += m.point - sub.scaling;
    m = { digits: m.digits, point: sub.scaling };
  }
  return { d: m, exp };
}

function formatNumberImpl(value: number | undefined, picture: string, options?: Record<string, string>): string | undefined {
  if (value === undefined) return undefined;
  const pic = parseNumberPicture(picture, options);
  const f = pic.format;
  if (Number.isNaN(value)) return f.nan;
  const negative = value < 0;
  const sub = negative && pic.negative ? pic.negative : pic.positive;
  const prefix = negative && !pic.negative ? f.minus + sub.prefix : sub.prefix;
  if (!Number.isFinite(value)) return prefix + f.infinity + sub.suffix;

  let d = toDecimal(Math.abs(value));
  if (sub.percent) d = shift(d, 2);
  else if (sub.permille) d = shift(d, 3);
  let exp = 0;
  if (sub.exponent) ({ d, exp } = mantissaAndExponent(d, sub));
  else d = roundHalfEven(d, sub.maxFrac);

  let int = integerPart(d);
  if (int.length < sub.minInt) int = '0'.repeat(sub.minInt - int.length) + int;
  let frac = fractionPart(d);
  if (frac.length < sub.minFrac) frac += '0'.repeat(sub.minFrac - frac.length);

  let out = prefix + toFamily(insertSeparators(int, sub.intGroups, sub.intRegular), f.zero);
  if (frac.length > 0) out += f.decimal + toFamily(insertFractionSeparators(frac, sub.fracGroups, f.grouping), f.zero);
  if (sub.exponent) {
    let e = integerDigits(exp);
    if (e.length < sub.minExp) e = '0'.repeat(sub.minExp - e.length) + e;
    out += f.exponent + (exp < 0 ? f.minus : '') + toFamily(e, f.zero);
  }
  return out + sub.suffix;
}

export function formatNumber(value: number | undefined, picture: string, options?: Record<string, string>): string | undefined {
  try {
    return formatNumberImpl(value, picture, options);
  } catch (error) {
    throw withToken(error, 'formatNumber');
  }
}
