/**
 * $formatInteger / $parseInteger: XPath integer pictures (decimal digit families, grouping, roman, letters, words,
 * ordinals).
 */
import { jerr } from '../errors.js';
import { numberToWords, wordsToNumber } from './integer-words.js';
import { checkPicture } from '../guards.js';

const ZEROS = [
  0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0, 0xf20,
  0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0,
  0xa900, 0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10,
];

function zeroOf(cp: number): number | undefined {
  for (const z of ZEROS) if (cp >= z && cp <= z + 9) return z;
  return undefined;
}

export interface IntegerFormat {
  kind: 'decimal' | 'roman' | 'letters' | 'words';
  case: 'upper' | 'lower' | 'title';
  ordinal: boolean;
  zero: number;
  mandatory: number;
  separators: { position: number; char: string }[];
  regular: number;
}

export function analyseInteger(picture: string): IntegerFormat {
  const fmt: IntegerFormat = {
    kind: 'decimal',
    case: 'lower',
    ordinal: false,
    zero: 0x30,
    mandatory: 1,
    separators: [],
    regular: 0,
  };
  let primary = picture;
  const semi = picture.lastIndexOf(';');
  if (semi !== -1) {
    const modifier = picture.substring(semi + 1);
    if (modifier[0] === 'o') fmt.ordinal = true;
    primary = picture.substring(0, semi);
  }
  switch (primary) {
    case 'A':
      return { ...fmt, kind: 'letters', case: 'upper' };
    case 'a':
      return { ...fmt, kind: 'letters' };
    case 'I':
      return { ...fmt, kind: 'roman', case: 'upper' };
    case 'i':
      return { ...fmt, kind: 'roman' };
    case 'W':
      return { ...fmt, kind: 'words', case: 'upper' };
    case 'Ww':
      return { ...fmt, kind: 'words', case: 'title' };
    case 'w':
      return { ...fmt, kind: 'words' };
  }
  const cps = Array.from(primary);
  let zero: number | undefined;
  let mandatory = 0;
  let digitsSeen = 0;
  const seps: { index: number; char: string }[] = [];
  cps.forEach((ch, idx) => {
    const cp = ch.codePointAt(0) as number;
    const z = zeroOf(cp);
    if (z !== undefined) {
      if (zero !== undefined && zero !== z) throw jerr('D3131', {});
      zero = z;
      mandatory++;
      digitsSeen++;
    } else if (ch === '#') digitsSeen++;
    else seps.push({ index: idx, char: ch });
  });
  if (zero === undefined) throw jerr('D3130', { value: cps[0] });
  fmt.zero = zero;
  fmt.mandatory = mandatory;
  // a separator's position: the digits (and `#`) to its right; linear, as a picture may be long
  const total = cps.length;
  fmt.separators = seps.map((s, k) => ({ position: total - s.index - 1 - (seps.length - 1 - k), char: s.char }));
  fmt.regular = regularInterval(fmt.separators);
  void digitsSeen;
  return fmt;
}

/**
 * The interval of regular grouping separators, or 0: one character at every multiple of the greatest common divisor
 * of their positions, counted as jsonata-js counts them (so `0,` and `0,,000` are irregular).
 */
function regularInterval(seps: { position: number; char: string }[]): number {
  if (seps.length === 0 || seps.some((s) => s.char !== seps[0].char)) return 0;
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const positions = seps.map((s) => s.position);
  const factor = positions.reduce(gcd);
  const present = new Set(positions);
  for (let i = 1; i <= positions.length; i++) if (!present.has(i * factor)) return 0;
  return factor;
}

/**
 * Irregular grouping separators inserted as jsonata-js inserts them, from the leftmost: each at its position from the
 * right, even where that lies outside the digits (`0,` gives `1,`; a position past the digits puts it first).
 */
function insertIrregular(digits: string, seps: { position: number; char: string }[]): string {
  let out = digits;
  for (const sep of seps) {
    const pos = out.length - sep.position;
    out = (pos > 0 ? out.substring(0, pos) : '') + sep.char + out.substring(Math.max(0, pos));
  }
  return out;
}

const ROMAN: [number, string][] = [
  [1000, 'm'],
  [900, 'cm'],
  [500, 'd'],
  [400, 'cd'],
  [100, 'c'],
  [90, 'xc'],
  [50, 'l'],
  [40, 'xl'],
  [10, 'x'],
  [9, 'ix'],
  [5, 'v'],
  [4, 'iv'],
  [1, 'i'],
];

function toRoman(n: number): string {
  let out = '';
  for (const [v, s] of ROMAN)
    while (n >= v) {
      out += s;
      n -= v;
    }
  return out;
}

function fromRoman(s: string): number {
  const vals: Record<string, number> = { m: 1000, d: 500, c: 100, l: 50, x: 10, v: 5, i: 1 };
  let total = 0;
  const str = s.toLowerCase();
  for (let i = 0; i < str.length; i++) {
    const v = vals[str[i]];
    const next = vals[str[i + 1]] ?? 0;
    total += v < next ? -v : v;
  }
  return total;
}

function toLetters(n: number): string {
  let out = '';
  while (n > 0) {
    n--;
    out = String.fromCharCode(97 + (n % 26)) + out;
    n = Math.floor(n / 26);
  }
  return out;
}

function ordinalSuffix(n: number): string {
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 13) return 'th';
  return ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
}

/** The suffix jsonata-js reads off the formatted text: other digit families and a trailing separator get `th`. */
function ordinalOfText(text: string): string {
  const suffix = ({ '1': 'st', '2': 'nd', '3': 'rd' } as Record<string, string>)[text[text.length - 1]];
  return suffix === undefined || (text.length > 1 && text[text.length - 2] === '1') ? 'th' : suffix;
}

function applyCase(s: string, c: IntegerFormat['case']): string {
  if (c === 'upper') return s.toUpperCase();
  if (c === 'title')
    return s
      .split(' ')
      .map((w) =>
        w === 'and'
          ? w
          : w
              .split('-')
              .map((p) => p.charAt(0).toUpperCase() + p.substring(1))
              .join('-'),
      )
      .join(' ');
  return s;
}

export function formatWith(value: number, fmt: IntegerFormat): string {
  const negative = value < 0;
  const n = Math.floor(Math.abs(value));
  let out: string;
  switch (fmt.kind) {
    case 'roman':
      out = applyCase(toRoman(n), fmt.case);
      break;
    case 'letters':
      out = applyCase(toLetters(n), fmt.case);
      break;
    case 'words':
      out = applyCase(numberToWords(n, fmt.ordinal), fmt.case);
      break;
    default: {
      if (fmt.zero === 0x30 && fmt.separators.length === 0 && n < 1e21) {
        out = n.toString().padStart(fmt.mandatory, '0');
        if (fmt.ordinal) out += ordinalSuffix(n);
        break;
      }
      let digits = n.toString().padStart(fmt.mandatory, '0');
      if (fmt.zero !== 0x30)
        digits = Array.from(digits)
          .map((d) => String.fromCodePoint(fmt.zero + Number(d)))
          .join('');
      const chars = Array.from(digits);
      if (fmt.regular > 0) {
        const rev = chars.reverse();
        const res: string[] = [];
        rev.forEach((c, i) => {
          if (i > 0 && i % fmt.regular === 0) res.push(fmt.separators[0].char);
          res.push(c);
        });
        out = res.reverse().join('');
      } else out = insertIrregular(digits, fmt.separators);
      if (fmt.ordinal) out += ordinalOfText(out);
    }
  }
  return negative ? '-' + out : out;
}

export function formatInteger(value?: number, picture?: string): string | undefined {
  if (value === undefined) return undefined;
  checkPicture(picture as string, 'formatInteger');
  // floored before its sign is taken, as jsonata-js: -12.7 is -13
  return formatWith(Math.floor(value), analyseInteger(picture as string));
}

export function parseWith(text: string, fmt: IntegerFormat): number {
  switch (fmt.kind) {
    case 'roman':
      return fromRoman(text);
    case 'letters': {
      let n = 0;
      for (const c of text.toLowerCase()) n = n * 26 + (c.charCodeAt(0) - 96);
      return n;
    }
    case 'words':
      return wordsToNumber(text);
    default: {
      let digits = '';
      for (const ch of Array.from(text)) {
        const z = zeroOf(ch.codePointAt(0) as number);
        if (z !== undefined) digits += String((ch.codePointAt(0) as number) - z);
      }
      return parseInt(digits, 10);
    }
  }
}

export function parseInteger(value?: string, picture?: string): number | undefined {
  if (value === undefined) return undefined;
  checkPicture(picture as string, 'parseInteger');
  return parseWith(value, analyseInteger(picture as string));
}
