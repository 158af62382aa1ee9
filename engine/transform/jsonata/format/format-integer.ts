/** fn:format-integer: formats an integer in a decimal digit pattern, Roman numerals, letters or words. */
import { integerDigits } from './decimal.js';
import { toFamily } from './digits.js';
import type { GroupSeparator, IntegerStyle } from './integer-picture.js';
import { parseIntegerPicture } from './integer-picture.js';
import { toLetters } from './letters.js';
import { toRoman } from './roman.js';
import { caseWords, integerToWords, ordinalWords } from './words.js';
import { withToken } from './errors.js';

/** "st", "nd", "rd" or "th" for a non-negative integer given as ASCII digits. */
export function ordinalSuffix(digits: string): string {
  const tens = digits.length > 1 ? digits.charCodeAt(digits.length - 2) - 48 : 0;
  if (tens === 1) return 'th';
  switch (digits.charCodeAt(digits.length - 1) - 48) {
    case 1: return 'st';
    case 2: return 'nd';
    case 3: return 'rd';
    default: return 'th';
  }
}

/** Inserts grouping separators into ASCII digits: every `regular` digits, or at the listed positions only. */
export function insertSeparators(digits: string, separators: GroupSeparator[], regular: number): string {
  if (separators.length === 0 || digits.length < 2) return digits;
  const len = digits.length;
  let out = digits[0];
  if (regular > 0) {
    const sep = separators[0].text;
    for (let i = 1; i < len; i++) out += ((len - i) % regular === 0 ? sep : '') + digits[i];
    return out;
  }
  const at = new Map<number, string>();
  for (const s of separators) if (s.position < len) at.set(s.position, (at.get(s.position) ?? '') + s.text);
  for (let i = 1; i < len; i++) out += (at.get(len - i) ?? '') + digits[i];
  return out;
}

/**
 * Formats a (floored) integer with a parsed style. `digits` replaces the number of mandatory digits of a decimal
 * pattern (the width modifier of a date/time component).
 */
export function formatWithStyle(n: number, style: IntegerStyle, ordinal: boolean, digits?: number): string {
  const negative = n < 0;
  const ascii = integerDigits(n);
  let out: string;
  switch (style.kind) {
    case 'decimal': {
      const width = digits ?? style.mandatory;
      const padded = ascii.length < width ? '0'.repeat(width - ascii.length) + ascii : ascii;
      out = toFamily(insertSeparators(padded, style.separators, style.regular), style.zero);
      if (ordinal) out += ordinalSuffix(ascii);
      break;
    }
    case 'roman':
      // thousands repeat M, so beyond a million fall back to digits (the spec's fallback format "1")
      if (ascii.length > 6) return (negative ? '-' : '') + ascii;
      out = toRoman(Math.abs(n));
      if (!style.upper) out = out.toLowerCase();
      break;
    case 'letters':
      out = toLetters(Math.abs(n));
      if (!style.upper) out = out.toLowerCase();
      break;
    case 'words': {
      const words = integerToWords(ascii);
      out = caseWords(ordinal ? ordinalWords(words) : words, style.style);
      break;
    }
  }
  return negative ? '-' + out : out;
}

function formatIntegerImpl(value: number | undefined, picture: string): string | undefined {
  if (value === undefined) return undefined;
  const pic = parseIntegerPicture(picture);
  if (!Number.isFinite(value)) return String(value);
  return formatWithStyle(Math.floor(value), pic.style, pic.ordinal);
}

export function formatInteger(value: number | undefined, picture: string): string | undefined {
  try {
    return formatIntegerImpl(value, picture);
  } catch (error) {
    throw withToken(error, 'formatInteger');
  }
}
