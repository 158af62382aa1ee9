/* eslint-disable @typescript-eslint/no-explicit-any */
/** $formatNumber: XPath/F&O 3.1 decimal-format pictures (grouping, percent/per-mille, exponents, digit families). */
import { jerr } from '../errors.js';
import { round } from './numeric.js';
import { checkPicture } from '../guards.js';

interface Props {
  [k: string]: string;
}

const DEFAULTS: Props = {
  'decimal-separator': '.',
  'grouping-separator': ',',
  'exponent-separator': 'e',
  infinity: 'Infinity',
  'minus-sign': '-',
  NaN: 'NaN',
  percent: '%',
  'per-mille': '\u2030',
  'zero-digit': '0',
  digit: '#',
  'pattern-separator': ';',
};

interface Part {
  prefix: string;
  suffix: string;
  integer: string;
  fraction: string;
  exponent?: string;
  hasDecimal: boolean;
  sub: string;
  /** A passive character between active ones, or no active character at all (D3086). */
  passive: boolean;
}

function split(sub: string, p: Props, isDigit: (c: string) => boolean): Part {
  const chars = Array.from(sub);
  const active = (c: string) =>
    isDigit(c) || c === p['decimal-separator'] || c === p['grouping-separator'] || c === p.digit;
  let first = chars.findIndex(active);
  if (first < 0)
    // nothing active: jsonata-js's D3085 (no digit), or D3086 when the sub-picture has passive characters
    return { prefix: '', suffix: '', sub, integer: '', fraction: '', hasDecimal: false, passive: chars.length > 0 };
  let last = chars.length - 1;
  while (last >= 0 && !active(chars[last])) last--;
  const prefix = chars.slice(0, first).join('');
  let suffix = chars.slice(last + 1).join('');
  let activePart = chars.slice(first, last + 1);
  let exponent: string[] | undefined;
  const e = activePart.indexOf(p['exponent-separator']);
  if (e >= 0) {
    // jsonata-js finds the exponent separator in the sub-picture but cuts the active part at that index, so a prefix
    // of n characters moves the exponent's first n - 1 digits to the mantissa and drops one (`x0e00` writes a
    // one-digit exponent, `x0e0` is D3093, `xy0.0e0000` has two fraction digits and a two-digit exponent)
    exponent = activePart.slice(e + 1 + prefix.length);
    activePart = [...activePart.slice(0, e), ...activePart.slice(e + 1, e + prefix.length)];
  } else {
    // an exponent separator directly after the mantissa starts the exponent, even with no digit after it (`0e` is
    // D3093, as in jsonata-js)
    const sc = Array.from(suffix);
    if (sc[0] === p['exponent-separator']) {
      let k = 1;
      while (k < sc.length && (isDigit(sc[k]) || active(sc[k]))) k++;
      exponent = sc.slice(1, k);
      suffix = sc.slice(k).join('');
    }
  }
  const passive = activePart.some((c) => !active(c));
  const d = activePart.indexOf(p['decimal-separator']);
  void first;
  first = 0;
  return {
    prefix,
    suffix,
    sub,
    integer: (d >= 0 ? activePart.slice(0, d) : activePart).join(''),
    fraction: d >= 0 ? activePart.slice(d + 1).join('') : '',
    exponent: exponent?.join(''),
    hasDecimal: d >= 0,
    passive,
  };
}

/**
 * F&O 4.7.3's checks in jsonata-js's order; like jsonata-js, the last failed check gives the code, and the checks for
 * optional digits look at the first `#` of the integer part and the last of the fraction (`#0#` is accepted).
 */
function validate(part: Part, p: Props, isDigit: (c: string) => boolean): void {
  const count = (s: string, t: string) => s.split(t).length - 1;
  const sub = part.sub;
  let error: string | undefined;
  if (count(sub, p['decimal-separator']) > 1) error = 'D3081';
  if (count(sub, p.percent) > 1) error = 'D3082';
  if (count(sub, p['per-mille']) > 1) error = 'D3083';
  if (count(sub, p.percent) > 0 && count(sub, p['per-mille']) > 0) error = 'D3084';
  const mantissa = part.integer + part.fraction;
  if (!Array.from(mantissa).some((c) => isDigit(c) || c === p.digit)) error = 'D3085';
  if (part.passive) error = 'D3086';
  const g = p['grouping-separator'];
  if (part.hasDecimal) {
    if (part.integer.endsWith(g) || part.fraction.startsWith(g)) error = 'D3087';
  } else if (part.integer.endsWith(g)) error = 'D3088';
  if (sub.includes(g + g)) error = 'D3089';
  const firstOptional = part.integer.indexOf(p.digit);
  if (firstOptional !== -1 && Array.from(part.integer.slice(0, firstOptional)).some(isDigit)) error = 'D3090';
  const lastOptional = part.fraction.lastIndexOf(p.digit);
  if (lastOptional !== -1 && Array.from(part.fraction.slice(lastOptional)).some(isDigit)) error = 'D3091';
  if (part.exponent !== undefined) {
    if (part.exponent.length > 0 && (count(sub, p.percent) > 0 || count(sub, p['per-mille']) > 0)) error = 'D3092';
    if (part.exponent.length === 0 || !Array.from(part.exponent).every(isDigit)) error = 'D3093';
  }
  if (error !== undefined) throw jerr(error, {});
}

function groupPositions(s: string, g: string, fromRight: boolean): number[] {
  const chars = Array.from(fromRight ? s : s).filter(() => true);
  const out: number[] = [];
  let digits = 0;
  const seq = fromRight ? chars.reverse() : chars;
  for (const c of seq) {
    if (c === g) out.push(digits);
    else digits++;
  }
  return out;
}

function regularOf(pos: number[]): number {
  if (pos.length === 0) return 0;
  // loops, not Math.min(...pos): a picture of a million separators would overflow the stack
  let n = Infinity;
  let max = -Infinity;
  for (const x of pos) {
    if (x < n) n = x;
    if (x > max) max = x;
  }
  if (n <= 0) return 0;
  const set = new Set(pos);
  for (let k = n; k <= max; k += n) if (!set.has(k)) return 0;
  return pos.every((x) => x % n === 0) ? n : 0;
}

/** Everything one sub-picture decides, computed once per picture (and options). */
interface Plan {
  prefix: string;
  suffix: string;
  minInt: number;
  minFrac: number;
  maxFrac: number;
  hasOptionalInt: boolean;
  exponent?: string;
  hasDecimal: boolean;
  scale: number;
  intGroups: number[];
  regular: number;
  fracGroups: number[];
  /** `intGroups` and `fracGroups` as sets, for long pictures. */
  intGroupSet: Set<number>;
  fracGroupSet: Set<number>;
}

interface Analysed {
  p: Props;
  zero: number;
  plans: Plan[];
}

function plan(part: Part, p: Props, isDigit: (c: string) => boolean): Plan {
  const g = p['grouping-separator'];
  const intDigits = Array.from(part.integer).filter((c) => c !== g);
  const fracDigits = Array.from(part.fraction).filter((c) => c !== g);
  let minInt = intDigits.filter(isDigit).length;
  let minFrac = fracDigits.filter(isDigit).length;
  let maxFrac = fracDigits.length;
  if (minInt === 0 && maxFrac === 0) {
    if (part.exponent !== undefined) {
      minFrac = 1;
      maxFrac = 1;
    } else minInt = 1;
  }
  // no mandatory digit at all (`#,###.##`): one fraction digit is shown, as in jsonata-js (`12` gives `12.0`)
  if (minInt === 0 && minFrac === 0 && part.exponent === undefined) minFrac = 1;
  const intGroups = groupPositions(part.integer, g, true);
  const fracGroups = groupPositions(part.fraction, g, false);
  return {
    prefix: part.prefix,
    suffix: part.suffix,
    minInt,
    minFrac,
    maxFrac,
    hasOptionalInt: intDigits.includes(p.digit),
    exponent: part.exponent,
    hasDecimal: part.hasDecimal,
    scale: part.sub.includes(p.percent) ? 100 : part.sub.includes(p['per-mille']) ? 1000 : 1,
    intGroups,
    regular: regularOf(intGroups),
    fracGroups,
    intGroupSet: new Set(intGroups),
    fracGroupSet: new Set(fracGroups),
  };
}

function analyse(picture: string, options: any): Analysed {
  const p: Props = { ...DEFAULTS, ...(options ?? {}) };
  const zero = p['zero-digit'].codePointAt(0) as number;
  const isDigit = (c: string) => {
    const cp = c.codePointAt(0) as number;
    return cp >= zero && cp <= zero + 9;
  };
  const subs = picture.split(p['pattern-separator']);
  if (subs.length > 2) throw jerr('D3080', {});
  const parts = subs.map((sub) => split(sub, p, isDigit));
  parts.forEach((part) => validate(part, p, isDigit));
  return { p, zero, plans: parts.map((part) => plan(part, p, isDigit)) };
}

/** Pictures without options are analysed once (expressions pass the same literal picture on every evaluation). */
const ANALYSED = new Map<string, Analysed>();

function analysed(picture: string, options: any): Analysed {
  checkPicture(picture, 'formatNumber');
  if (options !== undefined) return analyse(picture, options);
  let a = ANALYSED.get(picture);
  if (a === undefined) {
    a = analyse(picture, undefined);
    if (ANALYSED.size > 500) ANALYSED.clear();
    ANALYSED.set(picture, a);
  }
  return a;
}

function mapDigits(s: string, zero: number): string {
  if (zero === 0x30) return s;
  let out = '';
  for (const c of s) out += c >= '0' && c <= '9' ? String.fromCodePoint(zero + c.charCodeAt(0) - 48) : c;
  return out;
}

/** Inserts the grouping separator into the integer digits (from the right). */
function groupInteger(ip: string, pl: Plan, g: string): string {
  if (pl.intGroups.length === 0) return ip;
  const chars = Array.from(ip);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const fromRight = chars.length - i;
    out += chars[i];
    const pos = fromRight - 1;
    if (pos > 0 && (pl.regular ? pos % pl.regular === 0 : pl.intGroupSet.has(pos))) out += g;
  }
  return out;
}

function groupFraction(fp: string, pl: Plan, g: string): string {
  if (pl.fracGroups.length === 0) return fp;
  const chars = Array.from(fp);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    if (i > 0 && pl.fracGroupSet.has(i)) out += g;
    out += chars[i];
  }
  return out;
}

export function formatNumber(value?: number, picture?: string, options?: any): string | undefined {
  if (value === undefined) return undefined;
  const { p, zero, plans } = analysed(picture as string, options);
  const pl = value < 0 && plans.length === 2 ? plans[1] : plans[0];
  // NaN and infinities as F&O 4.7.5 says (jsonata-js prints garbage such as "-NaN.00")
  if (Number.isNaN(value)) return p.NaN;
  if (!Number.isFinite(value))
    return (value < 0 && plans.length === 1 ? p['minus-sign'] : '') + pl.prefix + p.infinity + pl.suffix;
  const g = p['grouping-separator'];
  const { minInt, minFrac, maxFrac } = pl;
  let v = Math.abs(value) * pl.scale;
  let exponent: number | undefined;
  if (pl.exponent !== undefined) {
    exponent = 0;
    if (v !== 0) {
      exponent = Math.floor(Math.log10(v)) + 1 - minInt;
      v = v / Math.pow(10, exponent);
      if ((round(v, maxFrac) as number) >= Math.pow(10, Math.max(minInt, 0))) {
        exponent++;
        v = v / 10;
      }
    }
  }
  // JavaScript writes at most 100 fraction digits (jsonata-js fails with a RangeError of its own)
  if (maxFrac > 100) throw jerr('U1005', { message: `$formatNumber(): ${maxFrac} fraction digits, at most 100` });
  // a number too large to round at that precision has no fraction to round (jsonata-js writes "NaN.000")
  const roundedAt = round(v, maxFrac) as number;
  const rounded = Number.isFinite(roundedAt) ? roundedAt : v;
  const fixedText = rounded.toFixed(maxFrac);
  const dot = fixedText.indexOf('.');
  let ip = dot < 0 ? fixedText : fixedText.substring(0, dot);
  let fp = dot < 0 ? '' : fixedText.substring(dot + 1);
  if (ip.length > 21 || ip.includes('e')) ip = BigInt(Math.round(rounded)).toString();
  let end = fp.length;
  while (end > minFrac && fp.charCodeAt(end - 1) === 48) end--;
  fp = fp.substring(0, end);
  // toFixed writes 1e21 and above without a fraction ("1e+22"): its mandatory digits are zeros
  if (fp.length < minFrac) fp = fp.padEnd(minFrac, '0');
  if (ip === '0' && minInt === 0 && !(pl.hasOptionalInt && pl.exponent !== undefined)) ip = '';
  if (ip.length < minInt) ip = ip.padStart(minInt, '0');
  let out = groupInteger(mapDigits(ip, zero), pl, g);
  if (fp.length > 0 || (pl.hasDecimal && minFrac > 0))
    out += p['decimal-separator'] + groupFraction(mapDigits(fp, zero), pl, g);
  if (exponent !== undefined) {
    const minExp = Array.from(pl.exponent as string).length;
    out +=
      p['exponent-separator'] +
      (exponent < 0 ? p['minus-sign'] : '') +
      mapDigits(String(Math.abs(exponent)).padStart(minExp, '0'), zero);
  }
  out = pl.prefix + out + pl.suffix;
  if (value < 0 && plans.length === 1) out = p['minus-sign'] + out;
  return out;
}
