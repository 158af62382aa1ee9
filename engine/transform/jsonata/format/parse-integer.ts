/** fn:parse-integer (JSONata's inverse of $formatInteger): reads an integer written with a format-integer picture. */
import { toAsciiDigits } from './digits.js';
import type { IntegerStyle } from './integer-picture.js';
import { parseIntegerPicture } from './integer-picture.js';
import { fromLetters } from './letters.js';
import { digitRange, escapeClassChar } from './regex.js';
import { fromRoman } from './roman.js';
import { NUMBER_WORDS, wordsToInteger } from './words.js';
import { withToken } from './errors.js';

const WORD = `(?:${[...NUMBER_WORDS].sort((a, b) => b.length - a.length).join('|')})(?![a-z])`;
/** Numbers in words: words separated by spaces, hyphens or commas ("three thousand, seven hundred and thirty"). */
const WORDS_REGEX = `${WORD}(?:(?:\\s*,\\s*|\\s+|-)${WORD})*`;

/**
 * A regex fragment (for a `u`- and `i`-flagged regex, no capture groups) matching an unsigned integer written in
 * `style`; an ordinal suffix (st/nd/rd/th) after digits is always accepted. `width` bounds the number of digits
 * of a decimal pattern (used when components are adjacent or a maximum width is given).
 */
export function styleRegex(style: IntegerStyle, width?: { min: number; max: number }): string {
  switch (style.kind) {
    case 'decimal': {
      const seps = [...new Set(style.separators.map((s) => s.text))].map(escapeClassChar).join('');
      const digits = `[${digitRange(style.zero)}${seps}]`;
      const count = width ? `{${width.min},${Number.isFinite(width.max) ? width.max : ''}}` : '+';
      return digits + count + '(?:st|nd|rd|th)?';
    }
    case 'roman':
      return '[ivxlcdm]*';
    case 'letters':
      return '[a-z]*';
    case 'words':
      return WORDS_REGEX;
  }
}

/** The value of text matched by `styleRegex` (undefined when it does not denote a number). */
export function styleValue(text: string, style: IntegerStyle): number | undefined {
  switch (style.kind) {
    case 'decimal': {
      const digits = toAsciiDigits(text).replace(/[^0-9]/g, '');
      return digits === '' ? undefined : Number(digits);
    }
    case 'roman':
      return fromRoman(text);
    case 'letters':
      return fromLetters(text);
    case 'words':
      return wordsToInteger(text);
  }
}

const regexCache = new Map<string, RegExp>();

function parseIntegerImpl(value: string | undefined, picture: string): number | undefined {
  if (value === undefined) return undefined;
  const pic = parseIntegerPicture(picture);
  let regex = regexCache.get(picture);
  if (!regex) {
    regex = new RegExp(`^(-?)(${styleRegex(pic.style)})$`, 'iu');
    if (regexCache.size > 500) regexCache.clear();
    regexCache.set(picture, regex);
  }
  const match = regex.exec(value.trim());
  if (!match) return undefined;
  const n = styleValue(match[2], pic.style);
  if (n === undefined) return undefined;
  return match[1] ? -n : n;
}

export function parseInteger(value: string | undefined, picture: string): number | undefined {
  try {
    return parseIntegerImpl(value, picture);
  } catch (error) {
    throw withToken(error, 'parseInteger');
  }
}
