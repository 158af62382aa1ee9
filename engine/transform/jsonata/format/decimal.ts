/**
 * Exact decimal arithmetic on the shortest round-trip representation of a double, so that formatting rounds the
 * number the user sees (0.45 rounds half-to-even to 0.4, 2.675 to 2.68) rather than its binary approximation.
 */

/** A non-negative decimal: `digits` (no leading/trailing zeros; '' for zero) with the point after `point` digits. */
export interface Decimal {
  digits: string;
  point: number;
}

/** The decimal value of a finite, non-negative number. */
export function toDecimal(abs: number): Decimal {
  if (abs === 0) return { digits: '', point: 0 };
  const text = abs.toExponential();
  const e = text.indexOf('e');
  const mantissa = text.slice(0, e).replace('.', '');
  return normalize({ digits: mantissa, point: Number(text.slice(e + 1)) + 1 });
}

function normalize(d: Decimal): Decimal {
  let { digits, point } = d;
  let start = 0;
  while (start < digits.length && digits.charCodeAt(start) === 48) start++;
  let end = digits.length;
  while (end > start && digits.charCodeAt(end - 1) === 48) end--;
  if (start === end) return { digits: '', point: 0 };
  point -= start;
  digits = digits.slice(start, end);
  return { digits, point };
}

/** Multiplies by 10^n exactly. */
export function shift(d: Decimal, n: number): Decimal {
  return d.digits === '' ? d : { digits: d.digits, point: d.point + n };
}

/** Rounds half-to-even to `fractionDigits` digits after the point. */
export function roundHalfEven(d: Decimal, fractionDigits: number): Decimal {
  const keep = d.point + fractionDigits;
  if (keep >= d.digits.length) return d;
  if (keep < 0) return { digits: '', point: 0 };
  const kept = d.digits.slice(0, keep);
  const first = d.digits.charCodeAt(keep);
  let up: boolean;
  if (first !== 53) up = first > 53;
  else if (keep + 1 < d.digits.length) up = true; // digits are normalised: anything after the 5 is non-zero
  else up = kept.length > 0 && (kept.charCodeAt(kept.length - 1) - 48) % 2 === 1;
  if (!up) return normalize({ digits: kept, point: d.point });
  // add one unit in the last kept place
  let i = kept.length - 1;
  while (i >= 0 && kept.charCodeAt(i) === 57) i--;
  if (i < 0) return { digits: '1', point: d.point + 1 }; // 999 -> 1000 (trailing zeros are implied)
  return normalize({ digits: kept.slice(0, i) + String.fromCharCode(kept.charCodeAt(i) + 1), point: d.point });
}

/** The digits before the point ('' when the value is below 1). */
export function integerPart(d: Decimal): string {
  if (d.point <= 0) return '';
  return d.point >= d.digits.length ? d.digits + '0'.repeat(d.point - d.digits.length) : d.digits.slice(0, d.point);
}

/** The digits after the point, without trailing zeros. */
export function fractionPart(d: Decimal): string {
  if (d.point >= d.digits.length) return '';
  return d.point < 0 ? '0'.repeat(-d.point) + d.digits : d.digits.slice(d.point);
}

/** The decimal digits of the integer part of a finite number's magnitude ('0' for zero). */
export function integerDigits(n: number): string {
  const abs = Math.abs(n);
  if (abs < 9007199254740992) return String(Math.trunc(abs));
  return integerPart(toDecimal(Math.trunc(abs)));
}
