/** Alphabetic numbering ('A'/'a' presentation): A..Z, AA, AB... (bijective base 26, like spreadsheet columns). */

/** Upper-case letters for a non-negative integer (zero is the empty string). */
export function toLetters(n: number): string {
  let out = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = (n - 1 - r) / 26;
  }
  return out;
}

/** The value of a letter sequence (either case); undefined for non-letters. */
export function fromLetters(text: string): number | undefined {
  let n = 0;
  for (const ch of text.toUpperCase()) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) return undefined;
    n = n * 26 + (c - 64);
  }
  return n;
}
