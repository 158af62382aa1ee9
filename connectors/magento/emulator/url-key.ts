/** The URL key Magento makes of a name or of a key it is sent (products and categories alike). */

/**
 * TranslitUrl: every run of characters other than Latin letters and digits becomes one '-', lower case, no '-' at
 * either end. [emulator] Translit's table that first spells non-Latin letters in Latin ones is not applied.
 */
export function urlKeyOf(text: string): string {
  return text
    .replace(/[^0-9a-z]+/gi, '-')
    .toLowerCase()
    .replace(/^-+|-+$/g, '');
}
