/** Tokeniser for JSONata source. `position` of a token is the offset just past it, as jsonata-js reports. */
import { jerr } from './errors.js';

type TokenType = 'operator' | 'name' | 'variable' | 'string' | 'number' | 'value' | 'regex' | 'end';

export interface Token {
  type: TokenType;
  value: unknown;
  position: number;
}

export const OPERATORS: Record<string, number> = {
  '.': 75,
  '[': 80,
  ']': 0,
  '{': 70,
  '}': 0,
  '(': 80,
  ')': 0,
  ',': 0,
  '@': 80,
  '#': 80,
  ';': 80,
  ':': 80,
  '?': 20,
  '+': 50,
  '-': 50,
  '*': 60,
  '/': 60,
  '%': 60,
  '|': 20,
  '=': 40,
  '<': 40,
  '>': 40,
  '^': 40,
  '**': 60,
  '..': 20,
  ':=': 10,
  '!=': 40,
  '<=': 40,
  '>=': 40,
  '~>': 40,
  '?:': 40,
  '??': 40,
  and: 30,
  or: 25,
  in: 40,
  '&': 50,
};

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const TWO_CHAR = new Set(['..', ':=', '!=', '>=', '<=', '**', '~>', '?:', '??']);
const NUMBER = /(0|[1-9][0-9]*)(\.[0-9]+)?([Ee][-+]?[0-9]+)?/y;
const WS = ' \t\n\r\v';

export class Lexer {
  private pos = 0;
  constructor(private readonly src: string) {}

  /** Next token; `infix` true when the previous token ended an operand (so `/` is division, not a regex). */
  next(infix: boolean): Token {
    const src = this.src;
    const len = src.length;
    for (;;) {
      while (this.pos < len && WS.includes(src[this.pos])) this.pos++;
      if (src[this.pos] === '/' && src[this.pos + 1] === '*') {
        const end = src.indexOf('*/', this.pos + 2);
        if (end < 0) throw jerr('S0106', { position: this.pos });
        this.pos = end + 2;
        continue;
      }
      break;
    }
    if (this.pos >= len) return { type: 'end', value: '(end)', position: len };
    const ch = src[this.pos];
    if (!infix && ch === '/') return this.regex();
    const two = src.substr(this.pos, 2);
    if (TWO_CHAR.has(two)) {
      this.pos += 2;
      return { type: 'operator', value: two, position: this.pos };
    }
    if (OPERATORS[ch] !== undefined || ch === '!' || ch === '~') {
      this.pos++;
      return { type: 'operator', value: ch, position: this.pos };
    }
    if (ch === '"' || ch === "'") return this.string(ch);
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(src);
    if (m) {
      const n = parseFloat(m[0]);
      if (!isFinite(n)) throw jerr('S0102', { position: this.pos, token: m[0] });
      this.pos += m[0].length;
      return { type: 'number', value: n, position: this.pos };
    }
    if (ch === '`') {
      const end = src.indexOf('`', this.pos + 1);
      if (end < 0) throw jerr('S0105', { position: len });
      const name = src.substring(this.pos + 1, end);
      this.pos = end + 1;
      return { type: 'name', value: name, position: this.pos };
    }
    let i = this.pos;
    while (i < len && !WS.includes(src[i]) && OPERATORS[src[i]] === undefined && src[i] !== '!' && src[i] !== '~') i++;
    const word = src.substring(this.pos, i);
    this.pos = i;
    if (word[0] === '$') return { type: 'variable', value: word.substring(1), position: i };
    switch (word) {
      case 'and':
      case 'or':
      case 'in':
        return { type: 'operator', value: word, position: i };
      case 'true':
        return { type: 'value', value: true, position: i };
      case 'false':
        return { type: 'value', value: false, position: i };
      case 'null':
        return { type: 'value', value: null, position: i };
      default:
        return { type: 'name', value: word, position: i };
    }
  }

  private string(quote: string): Token {
    const src = this.src;
    let out = '';
    let i = this.pos + 1;
    while (i < src.length) {
      let c = src[i];
      if (c === '\\') {
        i++;
        c = src[i];
        if (ESCAPES[c] !== undefined) out += ESCAPES[c];
        else if (c === 'u') {
          const hex = src.substr(i + 1, 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw jerr('S0104', { position: i });
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
        } else throw jerr('S0103', { position: i, token: c });
      } else if (c === quote) {
        this.pos = i + 1;
        return { type: 'string', value: out, position: this.pos };
      } else out += c;
      i++;
    }
    throw jerr('S0101', { position: i });
  }

  private regex(): Token {
    const src = this.src;
    const start = this.pos + 1;
    let i = start;
    let depth = 0;
    while (i < src.length) {
      const c = src[i];
      if (c === '/' && src[i - 1] !== '\\' && depth === 0) {
        const pattern = src.substring(start, i);
        if (pattern === '') throw jerr('S0301', { position: i });
        i++;
        let flags = '';
        while (src[i] === 'i' || src[i] === 'm') flags += src[i++];
        this.pos = i;
        return { type: 'regex', value: new RegExp(pattern, flags + 'g'), position: i };
      }
      if ((c === '(' || c === '[' || c === '{') && src[i - 1] !== '\\') depth++;
      if ((c === ')' || c === ']' || c === '}') && src[i - 1] !== '\\') depth--;
      i++;
    }
    throw jerr('S0302', { position: i });
  }
}
