/** The URL key Magento makes of a name or of a key it is sent (products and categories alike). */

/**
 * Translit's conversion table (magento2 `lib/internal/Magento/Framework/Filter/Translit.php`), its Latin-1 and
 * Latin Extended-A letters and its symbols, by the Latin spelling each gets. As the table has them: `Ã`, `ã`, `Ê`,
 * `Ð`, `ð` and `Þ` are not there, `ſ` is `z`.
 */
const SPELLED: Record<string, string> = {
  a: 'ÀÁÂÄÅàáâäåĀāĂăĄą',
  ae: 'Ææ',
  at: '@',
  c: '©ÇçĆćĈĉĊċČč',
  d: 'ĎďĐđ',
  e: 'ÈÉËèéêëĒēĔĕĖėĘęĚě',
  g: 'ĜĝĞğĠġĢģ',
  h: 'ĤĥĦħ',
  i: 'ÌÍÎÏìíîïĨĩĪīĬĭĮįİı',
  ij: 'Ĳĳ',
  j: 'Ĵĵ',
  k: 'Ķķĸ',
  l: 'ĹĺĻļĽľĿŀŁł',
  n: 'ÑñŃńŅņŇňŉŊŋ',
  o: 'ÒÓÔÕÖØòóôõöøŌōŎŏŐő',
  oe: 'Œœ',
  p: 'þ',
  r: '®ŔŕŖŗŘř',
  s: 'ŚśŜŝŞşŠš',
  ss: 'ß',
  t: 'ŢţŤťŦŧ',
  tm: '™',
  u: 'ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų',
  w: 'Ŵŵ',
  y: 'ÝýÿŶŷŸ',
  z: 'ŹźŻżŽžſ',
};
const LATIN = new Map(Object.entries(SPELLED).flatMap(([latin, letters]) => [...letters].map((l) => [l, latin])));
const IN_TABLE = new RegExp(`[${[...LATIN.keys()].join('')}]`, 'gu');

/**
 * TranslitUrl: Translit's table first (its one entry of more than one character, the escaped `&amp;`, is `and`; a
 * bare `&` is not in it), then every run of characters other than Latin letters and digits becomes one '-', lower
 * case, no '-' at either end. A letter the table lacks is such a character: Translit hands the rest to iconv only
 * where PHP's iconv is libiconv, and the emulator answers as where it is not (glibc).
 */
export function urlKeyOf(text: string): string {
  return text
    .replaceAll('&amp;', 'and')
    .replace(IN_TABLE, (letter) => LATIN.get(letter)!)
    .replace(/[^0-9a-z]+/gi, '-')
    .toLowerCase()
    .replace(/^-+|-+$/g, '');
}
