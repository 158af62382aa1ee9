/* eslint-disable @typescript-eslint/no-explicit-any */
/** $formatNumber: XPath/F&O 3.1 decimal-format pictures (grouping, percent/per-mille, exponents, digit families). */
import { jerr } from '../errors.js';
import { round } from './numeric.js';

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
}

function split(sub: string, p: Props, isDigit: (c: string) => boolean): Part {
  const chars = Array.from(sub);
  const active = (c: string) =>
    isDigit(c) || c === p['decimal-separator'] || c === p['grouping-separator'] || c === p.digit;
  let first = chars.findIndex(active);
  if (first < 0) throw jerr('D3086', {});
  let last = chars.length - 1;
  while (last >= 0 && !active(chars[last])) last--;
  const prefix = chars.slice(0, first).join('');
  let suffix = chars.slice(last + 1).join('');
  let activePart = chars.slice(first, last + 1);
  let exponent: string[] | undefined;
  const e = activePart.indexOf(p['exponent-separator']);
  if (e >= 0) {
    exponent = activePart.slice(e + 1);
    activePart = activePart.slice(0, e);
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
  for (const c of activePart) if (!active(c)) throw jerr('D3086', {});
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
  };
}

function validate(part: Part, p: Props, isDigit: (c: string) => boolean): void {
  const count = (s: string, t: string) => s.split(t).length - 1;
  const sub = part.sub;
  if (count(sub, p['decimal-separator']) > 1) throw jerr('D3081', {});
  if (count(sub, p.percent) > 1) throw jerr('D3082', {});
  if (count(sub, p['per-mille']) > 1) throw jerr('D3083', {});
  if (count(sub, p.percent) > 0 && count(sub, p['per-mille']) > 0) throw jerr('D3084', {});
  const mantissa = part.integer + part.fraction;
  if (!Array.from(mantissa).some((c) => isDigit(c) || c === p.digit)) throw jerr('D3085', {});
  const g = p['grouping-separator'];
  const dec = p['decimal-separator'];
  if ((part.hasDecimal && part.integer.endsWith(g)) || (part.hasDecimal && part.fraction.startsWith(g)))
    throw jerr('D3087', {});
  if (part.integer.endsWith(g)) throw jerr('D3088', {});
  if (sub.includes(g + g)) throw jerr('D3089', {});
  void dec;
  const ic = Array.from(part.integer).filter((c) => c !== g);
  for (let i = 0; i < ic.length - 1; i++) if (isDigit(ic[i]) && ic[i + 1] === p.digit) throw jerr('D3090', {});
  const fc = Array.from(part.fraction).filter((c) => c !== g);
  for (let i = 0; i < fc.length - 1; i++) if (fc[i] === p.digit && isDigit(fc[i + 1])) throw jerr('D3091', {});
  if (part.exponent !== undefined) {
    if (count(sub, p.percent) > 0 || count(sub, p['per-mille']) > 0) throw jerr('D3092', {});
    if (part.exponent.length === 0 || !Array.from(part.exponent).every(isDigit)) throw jerr('D3093', {});
  }
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
  const n = Math.min(...pos);
  if (n <= 0) return 0;
  const set = new Set(pos);
  const max = Math.max(...pos);
  for (let k = n; k <= max; k += n) if (!set.has(k)) return 0;
  return pos.every((x) => x % n === 0) ? n : 0;
}

export function formatNumber(value?: number, picture?: string, options?: any): string | undefined {
  if (value === undefined) return undefined;
  const p: Props = { ...DEFAULTS, ...(options ?? {}) };
  const zero = p['zero-digit'].codePointAt(0) as number;
  const isDigit = (c: string) => {
    const cp = c.codePointAt(0) as number;
    return cp >= zero && cp <= zero + 9;
  };
  const subs = (picture as string).split(p['pattern-separator']);
  if (subs.length > 2) throw jerr('D3080', {});
  const parts = subs.map((s) => split(s, p, isDigit));
  parts.forEach((part) => validate(part, p, isDigit));
  const part = value < 0 && parts.length === 2 ? parts[1] : parts[0];
  const g = p['grouping-separator'];
  const intDigits = Array.from(part.integer).filter((c) => c !== g);
  const fracDigits = Array.from(part.fraction).filter((c) => c !== g);
  let minInt = intDigits.filter(isDigit).length;
  let minFrac = fracDigits.filter(isDigit).length;
  let maxFrac = fracDigits.length;
  const hasOptionalInt = intDigits.includes(p.digit);
  if (minInt === 0 && maxFrac === 0) {
    if (part.exponent !== undefined) {
      minFrac = 1;
      maxFrac = 1;
    } else minInt = 1;
  }
  // no mandatory digit at all (`#,###.##`): one fraction digit is shown, as in jsonata-js (`12` gives `12.0`)
  if (minInt === 0 && minFrac === 0 && part.exponent === undefined) minFrac = 1;
  let v = Math.abs(value);
  if (part.sub.includes(p.percent)) v *= 100;
  else if (part.sub.includes(p['per-mille'])) v *= 1000;
  let exponent: number | undefined;
  if (part.exponent !== undefined) {
    exponent = 0;
    if (v !== 0) {
      const scale = minInt;
      exponent = Math.floor(Math.log10(v)) + 1 - scale;
      v = v / Math.pow(10, exponent);
      const r = round(v, maxFrac) as number;
      if (r >= Math.pow(10, Math.max(scale, 0))) {
        exponent++;
        v = v / 10;
      }
    }
  }
  const rounded = round(v, maxFrac) as number;
  let [ip, fp = ''] = rounded.toFixed(maxFrac).split('.');
  if (ip.length > 21 || /e/.test(ip)) ip = BigInt(Math.round(rounded)).toString();
  while (fp.length > minFrac && fp.endsWith('0')) fp = fp.slice(0, -1);
  if (ip === '0' && minInt === 0 && !(hasOptionalInt && part.exponent !== undefined)) ip = '';
  ip = ip.padStart(minInt, '0');
  const mapDigits = (s: string) =>
    zero === 0x30
      ? s
      : Array.from(s)
          .map((c) => String.fromCodePoint(zero + Number(c)))
          .join('');
  let intOut = Array.from(mapDigits(ip));
  const ipos = groupPositions(part.integer, g, true);
  const reg = regularOf(ipos);
  const res: string[] = [];
  intOut.reverse().forEach((c, i) => {
    if (i > 0 && (reg ? i % reg === 0 : ipos.includes(i))) res.push(g);
    res.push(c);
  });
  intOut = res.reverse();
  let fracOut = Array.from(mapDigits(fp));
  const fpos = groupPositions(part.fraction, g, false);
  const fres: string[] = [];
  fracOut.forEach((c, i) => {
    if (i > 0 && fpos.includes(i)) fres.push(g);
    fres.push(c);
  });
  fracOut = fres;
  let out = intOut.join('');
  if (fracOut.length > 0 || (part.hasDecimal && minFrac > 0)) out += p['decimal-separator'] + fracOut.join('');
  if (exponent !== undefined) {
    const minExp = Array.from(part.exponent as string).length;
    out +=
      p['exponent-separator'] +
      (exponent < 0 ? p['minus-sign'] : '') +
      mapDigits(String(Math.abs(exponent)).padStart(minExp, '0'));
  }
  out = part.prefix + out + part.suffix;
  if (value < 0 && parts.length === 1) out = p['minus-sign'] + out;
  return out;
}
