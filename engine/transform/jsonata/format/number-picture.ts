/**
 * Analysis of an fn:format-number picture string (XPath F&O 3.1 §4.7.3-4.7.4) into the properties that drive
 * formatting, with the JSONata error codes D3080-D3093 for invalid pictures.
 */
import { PictureCache } from './cache.js';
import { fail } from './errors.js';
import type { GroupSeparator } from './integer-picture.js';
import { regularGrouping } from './integer-picture.js';

/** The decimal format: the symbols a picture is written with (overridable through the options argument). */
export interface DecimalFormat {
  decimal: string;
  grouping: string;
  exponent: string;
  infinity: string;
  minus: string;
  nan: string;
  percent: string;
  permille: string;
  /** Code point of the zero digit; the digit family is it and the nine code points after it. */
  zero: number;
  digit: string;
  pattern: string;
}

export interface SubPicture {
  prefix: string;
  suffix: string;
  minInt: number;
  /** Digits the mantissa keeps before the point in exponential notation. */
  scaling: number;
  intGroups: GroupSeparator[];
  intRegular: number;
  minFrac: number;
  maxFrac: number;
  /** Positions (digits to the left, in the fractional part) of grouping separators. */
  fracGroups: number[];
  exponent: boolean;
  minExp: number;
  percent: boolean;
  permille: boolean;
}

export interface NumberPicture {
  format: DecimalFormat;
  positive: SubPicture;
  negative?: SubPicture;
}

const OPTION_KEYS: Record<string, keyof DecimalFormat> = {
  'decimal-separator': 'decimal', 'grouping-separator': 'grouping', 'exponent-separator': 'exponent',
  infinity: 'infinity', 'minus-sign': 'minus', NaN: 'nan', percent: 'percent', 'per-mille': 'permille',
  'zero-digit': 'zero', digit: 'digit', 'pattern-separator': 'pattern',
};

function decimalFormat(options?: Record<string, string>): DecimalFormat {
  const f: DecimalFormat = {
    decimal: '.', grouping: ',', exponent: 'e', infinity: 'Infinity', minus: '-', nan: 'NaN', percent: '%',
    permille: '\u2030', zero: 0x30, digit: '#', pattern: ';',
  };
  if (options) {
    for (const [key, value] of Object.entries(options)) {
      const prop = OPTION_KEYS[key];
      if (prop === undefined || value === undefined || value === null) continue;
      if (prop === 'zero') f.zero = String(value).codePointAt(0) ?? 0x30;
      else f[prop] = String(value);
    }
  }
  return f;
}

type Kind = 'digit' | 'opt' | 'dec' | 'grp' | 'exp' | 'pct' | 'pml' | 'pat' | 'pass';
interface Token {
  kind: Kind;
  text: string;
}

function tokenize(picture: string, f: DecimalFormat): Token[] {
  const symbols = ([['dec', f.decimal], ['grp', f.grouping], ['exp', f.exponent], ['pct', f.percent],
    ['pml', f.permille], ['opt', f.digit], ['pat', f.pattern]] as [Kind, string][])
    .filter(([, text]) => text.length > 0)
    .sort((a, b) => b[1].length - a[1].length);
  const tokens: Token[] = [];
  let i = 0;
  outer: while (i < picture.length) {
    for (const [kind, text] of symbols) {
      if (picture.startsWith(text, i)) {
        tokens.push({ kind, text });
        i += text.length;
        continue outer;
      }
    }
    const cp = picture.codePointAt(i)!;
    const text = String.fromCodePoint(cp);
    tokens.push({ kind: cp >= f.zero && cp <= f.zero + 9 ? 'digit' : 'pass', text });
    i += text.length;
  }
  return tokens;
}

const isActive = (t: Token) => t.kind === 'digit' || t.kind === 'opt' || t.kind === 'dec' || t.kind === 'grp';
const isDigitSign = (t: Token) => t.kind === 'digit' || t.kind === 'opt';
const count = (tokens: Token[], kind: Kind) => tokens.reduce((n, t) => n + (t.kind === kind ? 1 : 0), 0);
const join = (tokens: Token[]) => tokens.map((t) => t.text).join('');

function analyse(tokens: Token[]): SubPicture {
  if (tokens.length === 0) fail('D3085', 'The mantissa part of a sub-picture must contain at least one digit sign');
  const first = tokens.findIndex(isActive);
  if (first < 0) fail('D3086', 'A sub-picture must contain at least one active character');
  // an exponent separator counts only directly after an active character
  const expIdx = tokens.findIndex((t, i) => t.kind === 'exp' && i > 0 && isActive(tokens[i - 1]));
  let last = tokens.length - 1;
  while (!isActive(tokens[last]) && last !== expIdx) last--;
  const middle = tokens.slice(first, last + 1);
  const exponent = expIdx >= 0;
  const mantissa = exponent ? tokens.slice(first, expIdx) : middle;
  const expPart = exponent ? tokens.slice(expIdx + 1, last + 1) : [];

  if (count(tokens, 'dec') > 1) fail('D3081', 'A sub-picture must not contain more than one decimal separator');
  const percents = count(tokens, 'pct');
  const permilles = count(tokens, 'pml');
  if (percents > 1) fail('D3082', 'A sub-picture must not contain more than one percent character');
  if (permilles > 1) fail('D3083', 'A sub-picture must not contain more than one per-mille character');
  if (percents && permilles) fail('D3084', 'A sub-picture must not contain both a percent and a per-mille character');
  if (!mantissa.some(isDigitSign)) {
    fail('D3085', 'The mantissa part of a sub-picture must contain at least one optional digit or decimal digit');
  }
  if (mantissa.some((t) => !isActive(t))) {
    fail('D3086', 'A sub-picture must not contain a passive character preceded and followed by active characters');
  }
  const decIdx = mantissa.findIndex((t) => t.kind === 'dec');
  const intPart = decIdx >= 0 ? mantissa.slice(0, decIdx) : mantissa;
  const fracPart = decIdx >= 0 ? mantissa.slice(decIdx + 1) : [];
  if (decIdx >= 0 && (mantissa[decIdx - 1]?.kind === 'grp' || mantissa[decIdx + 1]?.kind === 'grp')) {
    fail('D3087', 'A sub-picture must not contain a grouping separator adjacent to the decimal separator');
  }
  if (decIdx < 0 && mantissa[mantissa.length - 1].kind === 'grp') {
    fail('D3088', 'A sub-picture must not contain a grouping separator at the end of the integer part');
  }
  if (mantissa.some((t, i) => t.kind === 'grp' && mantissa[i + 1]?.kind === 'grp')) {
    fail('D3089', 'A sub-picture must not contain two adjacent grouping separators');
  }
  const firstDigit = intPart.findIndex((t) => t.kind === 'digit');
  if (firstDigit >= 0 && intPart.slice(firstDigit).some((t) => t.kind === 'opt')) {
    fail('D3090', 'The integer part of a sub-picture must not contain a decimal digit followed by an optional digit');
  }
  const firstOpt = fracPart.findIndex((t) => t.kind === 'opt');
  if (firstOpt >= 0 && fracPart.slice(firstOpt).some((t) => t.kind === 'digit')) {
    fail('D3091', 'The fractional part of a sub-picture must not contain an optional digit followed by a decimal digit');
  }
  if (exponent && (percents || permilles)) {
    fail('D3092', 'A sub-picture that contains a percent or per-mille character must not contain an exponent separator');
  }
  if (exponent && (expPart.length === 0 || expPart.some((t) => t.kind !== 'digit'))) {
    fail('D3093', 'The exponent part of a sub-picture must consist of one or more decimal digits');
  }

  const intGroups: GroupSeparator[] = [];
  let signs = 0;
  for (let i = intPart.length - 1; i >= 0; i--) {
    if (isDigitSign(intPart[i])) signs++;
    else if (intPart[i].kind === 'grp') intGroups.push({ position: signs, text: intPart[i].text });
  }
  const fracGroups: number[] = [];
  signs = 0;
  for (const t of fracPart) {
    if (isDigitSign(t)) signs++;
    else if (t.kind === 'grp') fracGroups.push(signs);
  }
  const intDigits = count(intPart, 'digit');
  let minInt = intDigits;
  let minFrac = count(fracPart, 'digit');
  let maxFrac = minFrac + count(fracPart, 'opt');
  // a mantissa with no digit before the point and none after it keeps one fraction digit ("#.e0", "#e0")
  if (exponent && intDigits === 0 && maxFrac === 0) minFrac = maxFrac = 1;
  if (decIdx < 0 && intDigits === 0) minInt = 1;
  if (minInt === 0 && maxFrac === 0) minInt = 1;
  if (minInt === 0 && minFrac === 0) minFrac = 1;
  if (maxFrac < minFrac) maxFrac = minFrac;
  if (exponent && minInt === 0 && intPart.some((t) => t.kind === 'opt')) minInt = 1;
  return {
    prefix: join(tokens.slice(0, first)),
    suffix: join(tokens.slice(last + 1)),
    minInt,
    scaling: intDigits,
    intGroups,
    intRegular: regularGrouping(intGroups),
    minFrac,
    maxFrac,
    fracGroups,
    exponent,
    minExp: expPart.length,
    percent: percents > 0,
    permille: permilles > 0,
  };
}

const cache = new PictureCache<NumberPicture>();

/** Parses (and caches) a format-number picture with its options. Throws D3080-D3093. */
export function parseNumberPicture(picture: string, options?: Record<string, string>): NumberPicture {
  const key = options && Object.keys(options).length ? picture + '\u0000' + JSON.stringify(options) : picture;
  return cache.get(key, () => {
    const format = decimalFormat(options);
    const tokens = tokenize(picture, format);
    const parts: Token[][] = [[]];
    for (const t of tokens) {
      if (t.kind === 'pat') parts.push([]);
      else parts[parts.length - 1].push(t);
    }
    if (parts.length > 2) fail('D3080', 'The picture string must not contain more than one pattern separator');
    return { format, positive: analyse(parts[0]), negative: parts.length > 1 ? analyse(parts[1]) : undefined };
  });
}
