/**
 * Reads a JavaScript regex pattern (JSONata's regex syntax: ECMAScript without the `u` flag) and rewrites it in RE2
 * syntax with the same meaning, so it can run on a linear-time engine. It also tells whether the pattern is safe for
 * a backtracking engine as is (no choice points: no variable quantifier and no alternation, so each start position
 * costs at most the pattern's length).
 */

interface PatternAnalysis {
  /** The RE2 rewrite, or undefined when the pattern needs backtracking features (backreferences, lookaround). */
  re2?: string;
  /** Choice points (variable quantifiers and alternations): none means O(pattern × input) when backtracking. */
  choices: number;
  /**
   * A quantifier applied to a group that holds a choice point (`(a+)+`, `(a|ab)*`): backtracking may take
   * exponential time. Without one, backtracking is polynomial, of degree `choices + 1` at most.
   */
  nested: boolean;
  /** It can consume an arbitrary character (`.`, negated classes, `\S`...): UTF-16 surrogates make RE2 differ. */
  consumesAny: boolean;
}

/** JavaScript's `\s`: WhiteSpace and LineTerminator code points. */
const JS_SPACE =
  '\\t\\n\\x{b}\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
/** JavaScript's `.` without the `s` flag. */
const JS_DOT = '[^\\n\\r\\x{2028}\\x{2029}]';
const ANY = '\\x{0}-\\x{10ffff}';

class Unsupported extends Error {}

const hex = (s: string, n: number): boolean => s.length === n && /^[0-9a-fA-F]+$/.test(s);
const codePoint = (h: string): string => {
  const cp = parseInt(h, 16);
  if (cp >= 0xd800 && cp <= 0xdfff) throw new Unsupported('surrogate');
  return `\\x{${cp.toString(16)}}`;
};
const isAsciiPunct = (c: string): boolean => /^[!-/:-@[-`{-~]$/.test(c);

class Translator {
  private i = 0;
  private out = '';
  choices = 0;
  nested = false;
  consumesAny = false;
  /** Open groups (the pattern itself first): whether each holds a choice point so far. */
  readonly open: boolean[] = [false];
  /** The group just closed, while it is the atom a quantifier would apply to. */
  private closed: boolean | undefined;
  constructor(private readonly src: string) {}

  run(): string {
    const s = this.src;
    while (this.i < s.length) {
      const c = s[this.i];
      const closed = this.closed;
      this.closed = undefined;
      if (c === '\\') this.out += this.escape(false);
      else if (c === '[') this.out += this.charClass();
      else if (c === '(') this.out += this.group();
      else if (c === ')') {
        const inner = this.open.pop() as boolean;
        if (this.open.length === 0) throw new Unsupported('unbalanced )');
        if (inner) this.open[this.open.length - 1] = true;
        this.closed = inner;
        this.out += c;
        this.i++;
      } else if (c === '*' || c === '+' || c === '?') {
        // a `?` right after a quantifier makes it lazy: no new choice point
        if (c !== '?' || !/[*+?}]/.test(s[this.i - 1] ?? '')) this.choice(closed);
        this.out += c;
        this.i++;
      } else if (c === '{') this.out += this.brace(closed);
      else if (c === '}') {
        this.out += '\\}';
        this.i++;
      } else if (c === '|') {
        this.choices++;
        this.open[this.open.length - 1] = true;
        this.out += c;
        this.i++;
      } else if (c === '.') {
        this.consumesAny = true;
        this.out += JS_DOT;
        this.i++;
      } else {
        this.out += c;
        this.i++;
      }
    }
    return this.out;
  }

  /** A variable quantifier: a choice point in every open group; on a group that holds one, a nested choice. */
  private choice(closedGroup: boolean | undefined): void {
    this.choices++;
    if (closedGroup === true) this.nested = true;
    this.open.fill(true);
  }

  /** `{n}`, `{n,}`, `{n,m}` is a quantifier; any other `{` is a literal (ECMAScript Annex B). */
  private brace(closedGroup: boolean | undefined): string {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
    if (!m) {
      this.i++;
      return '\\{';
    }
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    if (min > 1000 || (max !== Infinity && max > 1000)) throw new Unsupported('repeat count');
    if (max !== min) this.choice(closedGroup);
    this.i += m[0].length;
    return m[0];
  }

  private group(): string {
    const rest = this.src.slice(this.i);
    if (rest.startsWith('(?:')) {
      this.i += 3;
      this.open.push(false);
      return '(?:';
    }
    if (/^\(\?(=|!|<=|<!)/.test(rest)) throw new Unsupported('lookaround');
    const named = /^\(\?<([A-Za-z_$][\w$]*)>/.exec(rest);
    if (named) {
      this.i += named[0].length;
      this.open.push(false);
      return `(?P<${named[1]}>`;
    }
    if (rest.startsWith('(?')) throw new Unsupported('group syntax');
    this.i++;
    this.open.push(false);
    return '(';
  }

  /** An escape `\x` at this.i, inside a class or not. */
  private escape(inClass: boolean): string {
    const s = this.src;
    const c = s[this.i + 1];
    this.i += 2;
    if (c === undefined) throw new Unsupported('trailing backslash');
    switch (c) {
      case 'd':
      case 'w':
        return '\\' + c;
      case 'D':
      case 'W':
        this.consumesAny = true;
        return '\\' + c;
      case 'b':
        return inClass ? '\\x{8}' : '\\b';
      case 'B':
        if (inClass) return 'B';
        return '\\B';
      case 's':
        return inClass ? JS_SPACE : `[${JS_SPACE}]`;
      case 'S':
        if (inClass) throw new Unsupported('\\S in a class');
        this.consumesAny = true;
        return `[^${JS_SPACE}]`;
      case 't':
      case 'n':
      case 'f':
      case 'r':
        return '\\' + c;
      case 'v':
        return '\\x{b}';
      case '0':
        if (/[0-9]/.test(s[this.i] ?? '')) throw new Unsupported('octal escape');
        return '\\x{0}';
      case 'x': {
        const h = s.slice(this.i, this.i + 2);
        if (!hex(h, 2)) return 'x';
        this.i += 2;
        return codePoint(h);
      }
      case 'u': {
        const h = s.slice(this.i, this.i + 4);
        if (!hex(h, 4)) return 'u';
        this.i += 4;
        return codePoint(h);
      }
      case 'c': {
        const l = s[this.i];
        if (l === undefined || !/[A-Za-z]/.test(l)) throw new Unsupported('\\c');
        this.i++;
        return codePoint((l.charCodeAt(0) % 32).toString(16).padStart(2, '0'));
      }
      case 'k':
        throw new Unsupported('named backreference');
    }
    if (/[1-9]/.test(c)) throw new Unsupported('backreference');
    // any other escaped character is itself (Annex B identity escape)
    return isAsciiPunct(c) ? '\\' + c : c;
  }

  private charClass(): string {
    const s = this.src;
    this.i++;
    let negated = false;
    if (s[this.i] === '^') {
      negated = true;
      this.i++;
    }
    let body = '';
    for (;;) {
      const c = s[this.i];
      if (c === undefined) throw new Unsupported('unterminated class');
      if (c === ']') {
        this.i++;
        break;
      }
      if (c === '\\') body += this.escape(true);
      else {
        body += c === '[' ? '\\[' : c;
        this.i++;
      }
    }
    if (negated) this.consumesAny = true;
    // `[]` matches nothing and `[^]` anything, in JavaScript
    if (body === '') return negated ? `[${ANY}]` : `[^${ANY}]`;
    return `[${negated ? '^' : ''}${body}]`;
  }
}

export function analysePattern(source: string): PatternAnalysis {
  const t = new Translator(source);
  try {
    const re2 = t.run();
    if (t.open.length !== 1) throw new Unsupported('unbalanced (');
    return { re2, choices: t.choices, nested: t.nested, consumesAny: t.consumesAny };
  } catch (e) {
    if (!(e instanceof Unsupported)) throw e;
    // the scan stopped early: count any choice point in the rest as nested (the worst case)
    const more = /[*+?|]|\{\d+,/.test(source.replace(/\\./g, ''));
    return { choices: t.choices + (more ? 1 : 0), nested: t.nested || more, consumesAny: true };
  }
}
