/** Helpers to build regular expressions (always compiled with the `u` flag) from picture parts. */

/** Escapes literal text for use outside a character class. */
export function escapeText(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}

/** Escapes one character for use inside a character class. */
export function escapeClassChar(ch: string): string {
  return /[\\\]^-]/.test(ch) ? '\\' + ch : ch;
}

/** A `u`-mode character class range for the ten digits of the family starting at code point `zero`. */
export function digitRange(zero: number): string {
  const hex = (cp: number) => `\\u{${cp.toString(16)}}`;
  return `${hex(zero)}-${hex(zero + 9)}`;
}
