/**
 * The picture of fn:format-integer (XPath F&O 3.1 §4.6.1), also used by integer-valued date/time components: a
 * primary format token (decimal-digit-pattern, A, a, I, i, W, w, Ww) and an optional `;` format modifier
 * (`o` ordinal, `c` cardinal).
 */
import { PictureCache } from './cache.js';
import { digitFamilyZero } from './digits.js';
import { fail } from './errors.js';

export interface GroupSeparator {
  /** Number of digit positions to the right of the separator. */
  position: number;
  text: string;
}

export type IntegerStyle =
  | {
      kind: 'decimal';
      /** Code point of the zero of the digit family. */
      zero: number;
      /** Mandatory digits (members of the digit family) and optional digits ('#'). */
      mandatory: number;
      optional: number;
      separators: GroupSeparator[];
      /** Grouping size when separators are regular (repeat to the left), otherwise 0. */
      regular: number;
    }
  | { kind: 'roman'; upper: boolean }
  | { kind: 'letters'; upper: boolean }
  | { kind: 'words'; style: 'lower' | 'upper' | 'title' };

export interface IntegerPicture {
  style: IntegerStyle;
  ordinal: boolean;
}

const LETTER = /^\p{L}$/u;

function unsupported(token: string): never {
  fail('D3130', `Formatting or parsing an integer as a sequence starting with "${token}" is not supported`);
}

/** Parses a primary format token. Throws D3130 (unsupported token) or D3131 (mixed digit families). */
export function parsePrimaryToken(token: string): IntegerStyle {
  switch (token) {
    case 'A': return { kind: 'letters', upper: true };
    case 'a': return { kind: 'letters', upper: false };
    case 'I': return { kind: 'roman', upper: true };
    case 'i': return { kind: 'roman', upper: false };
    case 'W': return { kind: 'words', style: 'upper' };
    case 'w': return { kind: 'words', style: 'lower' };
    case 'Ww': return { kind: 'words', style: 'title' };
  }
  let zero = -1;
  let mandatory = 0;
  let optional = 0;
  const pending: { after: number; text: string }[] = []; // separators with the count of digit signs before them
  for (const ch of token) {
    const cp = ch.codePointAt(0)!;
    if (ch === '#') optional++;
    else {
      const family = digitFamilyZero(cp);
      if (family >= 0) {
        if (zero >= 0 && family !== zero) fail('D3131', 'In a decimal digit pattern, all digits must be from the same decimal group');
        zero = family;
        mandatory++;
      } else if (LETTER.test(ch)) unsupported(token);
      else pending.push({ after: mandatory + optional, text: ch });
    }
  }
  if (zero < 0) unsupported(token);
  const total = mandatory + optional;
  const separators = pending.map((s) => ({ position: total - s.after, text: s.text })).filter((s) => s.position > 0);
  return { kind: 'decimal', zero, mandatory, optional, separators, regular: regularGrouping(separators) };
}

/**
 * The grouping size when separators are "regular": all the same, at distinct positions that are exactly the
 * multiples of the smallest one up to the largest. Irregular separators are only placed where the picture has them.
 */
export function regularGrouping(separators: GroupSeparator[]): number {
  if (separators.length === 0) return 0;
  const text = separators[0].text;
  let g = Infinity;
  let max = 0;
  for (const s of separators) {
    if (s.text !== text) return 0;
    g = Math.min(g, s.position);
    max = Math.max(max, s.position);
  }
  const positions = new Set(separators.map((s) => s.position));
  if (positions.size !== separators.length || max / g !== separators.length) return 0;
  for (const p of positions) if (p % g !== 0) return 0;
  return g;
}

const cache = new PictureCache<IntegerPicture>();

/** Parses a whole fn:format-integer picture ("#,##0;o"), cached by picture string. */
export function parseIntegerPicture(picture: string): IntegerPicture {
  return cache.get(picture, () => {
    const semi = picture.lastIndexOf(';');
    const token = semi >= 0 ? picture.slice(0, semi) : picture;
    const modifier = semi >= 0 ? picture.slice(semi + 1) : '';
    return { style: parsePrimaryToken(token), ordinal: modifier.startsWith('o') };
  });
}
