/**
 * English number words (British style, as JSONata writes them): "three thousand, seven hundred and thirty",
 * "one trillion and one", and beyond 10^15 nested scales ("one thousand trillion", "ten billion trillion trillion").
 */

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion'];
const IRREGULAR_ORDINALS: Record<string, string> = {
  one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth',
};

function below1000(n: number): string {
  const hundreds = Math.floor(n / 100);
  const rest = n % 100;
  let out = hundreds > 0 ? ONES[hundreds] + ' hundred' : '';
  if (rest > 0) {
    if (out) out += ' and ';
    out += rest < 20 ? ONES[rest] : TENS[Math.floor(rest / 10)] + (rest % 10 ? '-' + ONES[rest % 10] : '');
  }
  return out;
}

/** Words for a non-negative integer given as a string of ASCII digits (no sign). */
export function integerToWords(digits: string): string {
  digits = digits.replace(/^0+(?=.)/, '');
  if (digits.length > 12) {
    const high = integerToWords(digits.slice(0, digits.length - 12));
    const low = digits.slice(digits.length - 12);
    return high + ' trillion' + joinRest(low);
  }
  const n = Number(digits);
  if (n === 0) return 'zero';
  const parts: string[] = [];
  let remaining = n;
  for (let scale = 3; scale >= 0; scale--) {
    const unit = 1000 ** scale;
    const chunk = Math.floor(remaining / unit);
    remaining -= chunk * unit;
    if (chunk === 0) continue;
    const words = below1000(chunk) + (scale ? ' ' + SCALES[scale] : '');
    if (parts.length === 0) parts.push(words);
    else parts.push((chunk < 100 && scale === 0 ? ' and ' : ', ') + words);
  }
  return parts.join('');
}

/** The separator and words for the part of a number below a scale word: "", " and one", ", two hundred". */
function joinRest(low: string): string {
  const n = Number(low);
  if (n === 0) return '';
  return (n < 100 ? ' and ' : ', ') + integerToWords(low);
}

/** Turns cardinal words into ordinal words by changing the last word: "thirty-four" -> "thirty-fourth". */
export function ordinalWords(words: string): string {
  const match = /[a-z]+$/.exec(words)!;
  const last = match[0];
  const ordinal = IRREGULAR_ORDINALS[last] ?? (last.endsWith('y') ? last.slice(0, -1) + 'ieth' : last + 'th');
  return words.slice(0, match.index) + ordinal;
}

/** Applies the case of a word presentation: 'w' lower, 'W' upper, 'Ww' title (except "and"). */
export function caseWords(words: string, style: 'lower' | 'upper' | 'title'): string {
  if (style === 'upper') return words.toUpperCase();
  if (style === 'title') return words.replace(/[a-z]+/g, (w) => (w === 'and' ? w : w[0].toUpperCase() + w.slice(1)));
  return words;
}

// ---- parsing ----

const VALUES = new Map<string, number>();
ONES.forEach((w, i) => VALUES.set(w, i));
TENS.forEach((w, i) => w && VALUES.set(w, i * 10));
for (const w of [...VALUES.keys()]) VALUES.set(ordinalWords(w), VALUES.get(w)!);
const SCALE_VALUES = new Map<string, bigint>([
  ['hundred', 100n], ['thousand', 1000n], ['million', 1_000_000n], ['billion', 1_000_000_000n], ['trillion', 10n ** 12n],
]);
for (const [w, v] of [...SCALE_VALUES]) SCALE_VALUES.set(w + 'th', v);

/** Every word that can appear in a number written in words (cardinal or ordinal), for building regexes. */
export const NUMBER_WORDS: readonly string[] = [...VALUES.keys(), ...SCALE_VALUES.keys(), 'and'];

function evaluate(tokens: string[]): bigint | undefined {
  if (tokens.length === 0) return 0n;
  // split at the last occurrence of the largest scale word present
  let best = -1;
  let bestValue = 0n;
  for (let i = 0; i < tokens.length; i++) {
    const v = SCALE_VALUES.get(tokens[i]);
    if (v !== undefined && v >= bestValue) {
      best = i;
      bestValue = v;
    }
  }
  if (best >= 0) {
    const high = evaluate(tokens.slice(0, best));
    const low = evaluate(tokens.slice(best + 1));
    if (high === undefined || low === undefined) return undefined;
    return high * bestValue + low;
  }
  let sum = 0n;
  for (const t of tokens) {
    const v = VALUES.get(t);
    if (v === undefined) return undefined;
    sum += BigInt(v);
  }
  return sum;
}

/** Parses English number words (any case, cardinal or ordinal); undefined when the text is not a number in words. */
export function wordsToInteger(text: string): number | undefined {
  const tokens = text.toLowerCase().split(/[\s,-]+/).filter((t) => t !== '' && t !== 'and');
  if (tokens.length === 0) return undefined;
  const value = evaluate(tokens);
  return value === undefined ? undefined : Number(value);
}
