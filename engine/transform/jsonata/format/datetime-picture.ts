/**
 * The picture of fn:format-dateTime (XPath F&O 3.1 §9.8.4), shared by $fromMillis and $toMillis: literal text with
 * `[component presentation,width]` markers; `[[` and `]]` are literal brackets.
 */
import { PictureCache } from './cache.js';
import { fail } from './errors.js';
import type { IntegerStyle } from './integer-picture.js';
import { parsePrimaryToken } from './integer-picture.js';

export type NameCase = 'lower' | 'upper' | 'title';

export interface Marker {
  component: string;
  /** The first presentation modifier as written (or the component's default). */
  presentation: string;
  /** Set when the presentation is a name (N, n, Nn). */
  names?: NameCase;
  /** Set when the presentation is an integer format token (for every component except Z, z). */
  style?: IntegerStyle;
  ordinal: boolean;
  /** Second presentation modifier 't' (traditional: a zero timezone offset is written Z). */
  traditional: boolean;
  minWidth?: number;
  maxWidth?: number;
}

export type Part = string | Marker;

export interface DatePicture {
  parts: Part[];
}

const DEFAULTS: Record<string, string> = {
  Y: '1', M: '1', D: '1', d: '1', F: 'n', W: '1', w: '1', X: '1', x: '1',
  H: '1', h: '1', P: 'n', m: '01', s: '01', f: '1', Z: '01:01', z: '01:01', C: 'n', E: 'n',
};
/** Components that can be presented as names. */
const NAMED = new Set(['M', 'x', 'F', 'P', 'C', 'E']);
const WIDTH = /^(\*|\d+)(?:-(\*|\d+))?$/;

function parseMarker(content: string): Marker {
  const spec = content.replace(/\s+/g, '');
  const component = spec.slice(0, 1);
  if (!(component in DEFAULTS)) fail('D3132', `Unknown component specifier "${component}" in date/time picture string`);
  let rest = spec.slice(1);
  let minWidth: number | undefined;
  let maxWidth: number | undefined;
  const comma = rest.lastIndexOf(',');
  if (comma >= 0) {
    const width = WIDTH.exec(rest.slice(comma + 1));
    if (width) {
      rest = rest.slice(0, comma);
      if (width[1] !== '*') minWidth = Number(width[1]);
      if (width[2] !== undefined && width[2] !== '*') maxWidth = Number(width[2]);
    }
  }
  let ordinal = false;
  let traditional = false;
  const last = rest.slice(-1);
  if ((last === 'o' || last === 'c' || last === 't') && (rest.length > 1 || last !== 't')) {
    ordinal = last === 'o';
    traditional = last === 't';
    rest = rest.slice(0, -1);
  }
  const presentation = rest || DEFAULTS[component];
  const marker: Marker = { component, presentation, ordinal, traditional, minWidth, maxWidth };
  if (component === 'Z' || component === 'z') return marker;
  if (presentation === 'N' || presentation === 'n' || presentation === 'Nn') {
    if (!NAMED.has(component)) {
      fail('D3133', `The 'name' modifier can only be applied to months and days in the date/time picture string, not "${component}"`);
    }
    marker.names = presentation === 'N' ? 'upper' : presentation === 'n' ? 'lower' : 'title';
  } else if (component !== 'C' && component !== 'E') {
    marker.style = parsePrimaryToken(presentation);
  }
  return marker;
}

function parse(picture: string): DatePicture {
  // markers are analysed once the whole picture is known to be well-bracketed (D3135 before D3132/D3133)
  const parts: (string | { raw: string })[] = [];
  let literal = '';
  let i = 0;
  while (i < picture.length) {
    const ch = picture[i];
    if (ch === '[' && picture[i + 1] === '[') {
      literal += '[';
      i += 2;
    } else if (ch === ']' && picture[i + 1] === ']') {
      literal += ']';
      i += 2;
    } else if (ch === '[') {
      const end = picture.indexOf(']', i + 1);
      if (end < 0) fail('D3135', "No matching closing bracket ']' in date/time picture string");
      if (literal) parts.push(literal);
      literal = '';
      parts.push({ raw: picture.slice(i + 1, end) });
      i = end + 1;
    } else {
      literal += ch;
      i++;
    }
  }
  if (literal) parts.push(literal);
  return { parts: parts.map((p) => (typeof p === 'string' ? p : parseMarker(p.raw))) };
}

const cache = new PictureCache<DatePicture>();

/** Parses (and caches) a date/time picture. Throws D3130-D3135. */
export function parseDatePicture(picture: string): DatePicture {
  return cache.get(picture, parse);
}

/** The picture $fromMillis uses when none is given: ISO 8601 with milliseconds. */
export const ISO_PICTURE = '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]';
