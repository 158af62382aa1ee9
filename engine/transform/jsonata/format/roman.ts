/** Roman numerals ('I'/'i' presentation). Zero is the empty string; thousands repeat M. */

const NUMERALS: [number, string][] = [
  [1000, 'M'], [900, 'CM'], [500, 'D'], [400, 'CD'], [100, 'C'], [90, 'XC'], [50, 'L'], [40, 'XL'],
  [10, 'X'], [9, 'IX'], [5, 'V'], [4, 'IV'], [1, 'I'],
];
const LETTER_VALUES: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

/** Upper-case Roman numerals for a non-negative integer. */
export function toRoman(n: number): string {
  let out = '';
  for (const [value, letters] of NUMERALS) {
    while (n >= value) {
      out += letters;
      n -= value;
    }
  }
  return out;
}

/** The value of Roman numerals (either case, subtractive or additive forms); undefined for other characters. */
export function fromRoman(text: string): number | undefined {
  const s = text.toUpperCase();
  let total = 0;
  for (let i = 0; i < s.length; i++) {
    const v = LETTER_VALUES[s[i]];
    if (v === undefined) return undefined;
    const next = i + 1 < s.length ? LETTER_VALUES[s[i + 1]] : undefined;
    total += next !== undefined && next > v ? -v : v;
  }
  return total;
}
