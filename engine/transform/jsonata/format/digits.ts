/**
 * Unicode decimal digits (general category Nd). Every Nd character belongs to a family of ten consecutive code
 * points with values 0..9, and adjacent families start on a zero, so a digit's value is its distance from the start
 * of its run of Nd characters, modulo 10.
 */
const ND = /^\p{Nd}$/u;
const zeroCache = new Map<number, number>();

export function isDigitCodePoint(cp: number): boolean {
  return cp >= 0x30 && cp <= 0x39 ? true : cp < 0x80 ? false : ND.test(String.fromCodePoint(cp));
}

/** The code point of the zero of `cp`'s digit family, or -1 when `cp` is not a decimal digit. */
export function digitFamilyZero(cp: number): number {
  if (cp >= 0x30 && cp <= 0x39) return 0x30;
  const cached = zeroCache.get(cp);
  if (cached !== undefined) return cached;
  let zero = -1;
  if (isDigitCodePoint(cp)) {
    let start = cp;
    while (isDigitCodePoint(start - 1)) start--;
    zero = cp - ((cp - start) % 10);
  }
  zeroCache.set(cp, zero);
  return zero;
}

/** Rewrites a string of ASCII digits into the family whose zero is `zero`. */
export function toFamily(ascii: string, zero: number): string {
  if (zero === 0x30) return ascii;
  let out = '';
  for (let i = 0; i < ascii.length; i++) {
    const c = ascii.charCodeAt(i);
    out += c >= 0x30 && c <= 0x39 ? String.fromCodePoint(zero + c - 0x30) : ascii[i];
  }
  return out;
}

/** Rewrites any Unicode decimal digits in `text` to ASCII digits (other characters are kept). */
export function toAsciiDigits(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x30 && cp <= 0x39) out += ch;
    else {
      const zero = cp >= 0x80 ? digitFamilyZero(cp) : -1;
      out += zero >= 0 ? String(cp - zero) : ch;
    }
  }
  return out;
}
