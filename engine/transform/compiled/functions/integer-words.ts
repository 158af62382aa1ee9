/** English number words for `w`/`W`/`Ww` integer pictures (cardinal and ordinal), both directions. */
const FEW = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const ORDINALS = [
  'zeroth',
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
  'eleventh',
  'twelfth',
  'thirteenth',
  'fourteenth',
  'fifteenth',
  'sixteenth',
  'seventeenth',
  'eighteenth',
  'nineteenth',
];
const DECADES = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety', 'hundred'];
const DECADE_ORDINALS = [
  'twentieth',
  'thirtieth',
  'fortieth',
  'fiftieth',
  'sixtieth',
  'seventieth',
  'eightieth',
  'ninetieth',
  'hundredth',
];
const MAGNITUDES = ['thousand', 'million', 'billion', 'trillion'];

function words(num: number, prev: boolean, ordinal: boolean): string {
  let out = '';
  if (num <= 19) out = (prev ? ' and ' : '') + (ordinal ? ORDINALS[num] : FEW[num]);
  else if (num < 100) {
    const tens = Math.floor(num / 10);
    const rem = num % 10;
    out = (prev ? ' and ' : '') + (ordinal && rem === 0 ? DECADE_ORDINALS[tens - 2] : DECADES[tens - 2]);
    if (rem > 0) out += '-' + words(rem, false, ordinal);
  } else if (num < 1000) {
    const hundreds = Math.floor(num / 100);
    const rem = num % 100;
    out = (prev ? ', ' : '') + FEW[hundreds] + ' hundred';
    if (rem === 0 && ordinal) out += 'th';
    else if (rem > 0) out += words(rem, true, ordinal);
  } else {
    let mag = Math.floor(Math.log10(num) / 3);
    if (mag > MAGNITUDES.length) mag = MAGNITUDES.length;
    const factor = Math.pow(10, mag * 3);
    const mant = Math.floor(num / factor);
    const rem = num - mant * factor;
    out = (prev ? ', ' : '') + words(mant, false, false) + ' ' + MAGNITUDES[mag - 1];
    if (rem === 0 && ordinal) out += 'th';
    else if (rem > 0) out += words(rem, true, ordinal);
  }
  return out;
}

export function numberToWords(num: number, ordinal: boolean): string {
  return words(num, false, ordinal);
}

const VALUES: Record<string, number> = {};
FEW.forEach((w, i) => (VALUES[w] = i));
ORDINALS.forEach((w, i) => (VALUES[w] = i));
DECADES.forEach((w, i) => (VALUES[w] = (i + 2) * 10));
DECADE_ORDINALS.forEach((w, i) => (VALUES[w] = (i + 2) * 10));
VALUES.hundred = VALUES.hundredth = 100;
MAGNITUDES.forEach((w, i) => {
  VALUES[w] = VALUES[w + 'th'] = Math.pow(10, (i + 1) * 3);
});

export function wordsToNumber(text: string): number {
  const parts = text.toLowerCase().split(/,\s|\sand\s|[\s\\-]/);
  const segs = [0];
  for (const part of parts) {
    const value = VALUES[part];
    if (value === undefined) return NaN; // a word it does not know (`minus`, an empty part), as jsonata-js
    if (value < 100) {
      let top = segs.pop() as number;
      if (top >= 1000) {
        segs.push(top);
        top = 0;
      }
      segs.push(top + value);
    } else segs.push((segs.pop() as number) * value);
  }
  return segs.reduce((a, b) => a + b, 0);
}
