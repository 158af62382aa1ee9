/**
 * What a JSONata syntax error means for a spec author: the parser's message (code and text, as jsonata-js words
 * it), where to point, and a short line on how to fix it. Most syntax errors in specs are habits from JavaScript
 * (`===`, `&&`, `!`, `if`, trailing commas), quoting (a `'` inside a '…' string, a field name with a space) or a
 * bracket left open, so the hint looks at the text around the error, not only at its code.
 */

/** The parts of a jsonata-js (or Junction engine) syntax error that say what and where. */
export interface SyntaxFailure {
  code?: string;
  message?: string;
  /** 0-based offset just past the offending token, as jsonata-js reports it. */
  position?: number;
  token?: unknown;
}

interface ExplainedSyntaxError {
  /** Offset in the expression of the character to point at. */
  offset: number;
  message: string;
}

/**
 * `where(offset)`: how the message names another place in the expression (an opening bracket), as `line:col`.
 * `yamlDoubleQuoted`: the expression is a YAML double-quoted string, where each JSONata backslash is written twice.
 */
export function explainSyntaxError(
  source: string,
  error: SyntaxFailure,
  where: (offset: number) => string,
  yamlDoubleQuoted = false,
): ExplainedSyntaxError {
  const code = error.code ?? '';
  const what = `JSONata ${code ? code + ' ' : ''}${error.message ?? 'syntax error'}`;
  const context: Context = { source, start: tokenStart(source, error.position, error.token), error, where };
  const found = hint(code, context, yamlDoubleQuoted);
  const offset = Math.max(0, Math.min(found.at ?? context.start, Math.max(0, source.length - 1)));
  return { offset, message: found.fix ? `${what}; ${found.fix}` : what };
}

interface Context {
  source: string;
  /** Offset of the offending token's first character. */
  start: number;
  error: SyntaxFailure;
  where: (offset: number) => string;
}

/** A fix line, and the offset to point at when it is not the offending token. */
interface Hint {
  fix?: string;
  at?: number;
}

function hint(code: string, c: Context, yamlDoubleQuoted: boolean): Hint {
  const token = c.error.token;
  switch (code) {
    case 'S0101': {
      const open = unclosedString(c.source);
      const quote = open === undefined ? '"' : c.source[open];
      return {
        at: open,
        fix:
          `the string that starts here has no closing ${quote}: end it with ${quote}` +
          (quote === "'" ? ` (an apostrophe inside it ends it too: quote such a string with ")` : ''),
      };
    }
    case 'S0102':
      // reported at the number's first character, not past it
      return {
        at: c.error.position,
        fix: 'a number must fit in a 64-bit float: write a long identifier as a string ("…")',
      };
    case 'S0103':
      if (token === "'")
        return { fix: `JSONata has no \\' escape: quote a string that holds an apostrophe with " ("it's")` };
      return {
        fix:
          'a backslash in a JSONata string starts an escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX): write \\\\ for ' +
          'a backslash' +
          (yamlDoubleQuoted
            ? '; in a YAML double-quoted value each backslash is doubled again (or use a block |)'
            : ''),
      };
    case 'S0104':
      return { at: c.start - 1, fix: 'write \\u with exactly 4 hex digits (\\u00e9 for é)' };
    case 'S0105': {
      const open = c.source.lastIndexOf('`');
      return {
        at: open < 0 ? undefined : open,
        fix: 'the field name quoted with ` here has no closing `: end it with `',
      };
    }
    case 'S0106':
      return { fix: 'the comment that starts here has no closing */: end it with */' };
    case 'S0201':
      return syntaxError(c);
    case 'S0202':
      return expected(c);
    case 'S0203': {
      const open = unclosedBracket(c.source);
      const close = CLOSER[open !== undefined ? c.source[open] : ''] ?? '';
      if (open === undefined || !close) return { fix: 'the expression ends too early: complete it' };
      return { fix: `the ${c.source[open]} at ${c.where(open)} is never closed: add ${close} where it should end` };
    }
    case 'S0204':
      if (token === '!') return { fix: 'JSONata has no ! operator: negate with $not(x), write "not equal" as !=' };
      return { fix: 'use a JSONata operator: = != < <= > >= and or in & + - * / % ~> ? :' };
    case 'S0205':
    case 'S0206':
      return { fix: 'this token cannot stand here: check the operator or bracket before it' };
    case 'S0207':
      return endedEarly(c);
    case 'S0208':
      return { fix: 'name every parameter with a $ (function($x, $y) { … })' };
    case 'S0209':
      return {
        at: c.source[c.start - 1] === '[' ? c.start - 1 : undefined,
        fix: 'put the predicate [ … ] before the grouping { … } on the step',
      };
    case 'S0210':
      // reported past the second grouping's {
      return {
        at: c.source[c.start - 1] === '{' ? c.start - 1 : undefined,
        fix: 'merge the two { … } groupings of the step into one object',
      };
    case 'S0211':
      return unaryOperator(c);
    case 'S0212':
      return { fix: 'assign to a $variable ($total := price * qty), and compare with = instead' };
    case 'S0213':
      return {
        fix: 'a number cannot be a step of a path: index an array with [n] (items[0]), quote a field named by digits with ` (a.`1`)',
      };
    case 'S0214':
      return { fix: `bind a $variable after ${String(token)} (items@$item, items#$index)` };
    case 'S0215':
      return { fix: 'move the @$variable binding before the predicate [ … ] on the step' };
    case 'S0216':
      return { fix: 'move the @$variable binding before the order-by ^( … ) on the step' };
    case 'S0217':
      return { at: 0, fix: '% (the parent) is used in a path step only (items.%.id); it has no parent here' };
    case 'S0301':
      return {
        at: c.start - 1,
        fix: 'a regular expression needs a pattern between its slashes (/[0-9]+/); for none, use a string',
      };
    case 'S0302':
      return { fix: 'end the regular expression with / (a / inside it is written \\/)' };
    case 'S0401':
    case 'S0402':
      return {
        fix: 'simplify the function signature <…> (see docs.jsonata.org/embedding-extending#function-signature-syntax)',
      };
    default:
      return {};
  }
}

/** S0201, "Syntax error: <token>": a token that cannot follow what stands before it. */
function syntaxError(c: Context): Hint {
  const { source, start } = c;
  const token = c.error.token;
  const before = source.slice(0, start).trimEnd();
  const previousWord = /([A-Za-z_$][\w$]*)$/.exec(before)?.[1];
  if (token === ';') {
    if (/\$[\w]+\s*=(?!=)/.test(before) && !/:=/.test(before))
      return {
        fix: '= compares; assign with := ($x := 5), and put the assignments and the result in a block: ($x := 5; $x * 2)',
      };
    return { fix: 'expressions separated by ; must stand in a block: wrap them in parentheses ($x := 5; $x * 2)' };
  }
  if (token === '|') return { at: start, fix: 'write or for || (JSONata combines conditions with and, or, $not())' };
  if (token === ')' || token === ']' || token === '}')
    return { fix: `this ${String(token)} closes no bracket: remove it, or add the bracket it should close` };
  if (token === ',')
    return { fix: 'a , separates array items, object entries or arguments: for several values, write an array [a, b]' };
  if (previousWord === 'if' || token === 'then' || token === 'else')
    return {
      at: previousWord === 'if' ? before.length - 2 : start,
      fix: 'JSONata has no if/then/else: write condition ? value : otherwise',
    };
  if (/['"]$/.test(before) && start === before.length && typeof token === 'string')
    return {
      fix:
        'the quote before this ends the string: quote a string that holds an apostrophe with " ("it\'s"), and a ' +
        'string that holds " with \' (or write \\")',
    };
  if (before.includes(':=') && !/[(]/.test(before))
    return { fix: 'an assignment and what follows it stand in a block, separated by ; : ($x := 1; $x * 2)' };
  if (/\?[^:]*$/.test(before) && !/:/.test(before.slice(before.lastIndexOf('?'))))
    return { fix: 'a condition needs both branches: condition ? value : otherwise' };
  return { fix: sideBySide(source, start, before) };
}

/** Two operands with nothing between them: the fix depends on what they look like. */
function sideBySide(source: string, start: number, before: string): string {
  const gapIsSpace = /\s$/.test(source.slice(0, start)) && /[\w`"')\]}]$/.test(before);
  if (!gapIsSpace) return 'this cannot follow what stands before it: an operator or a comma may be missing';
  return (
    'two values stand side by side: put an operator (& joins strings, and/or combine conditions) or a comma ' +
    'between them, or quote a field name that holds a space with ` (`first name`)'
  );
}

/** S0202, "Expected X, got Y". */
function expected(c: Context): Hint {
  const message = c.error.message ?? '';
  const wanted = /^Expected "(.+?)"/.exec(message)?.[1];
  const token = c.error.token;
  const open = unclosedBracket(c.source.slice(0, c.start));
  if ((token === ')' || token === ']' || token === '}') && wanted && wanted in OPENER) {
    if (open !== undefined)
      return {
        fix: `this ${String(token)} does not match the ${c.source[open]} at ${c.where(open)}: close it with ${wanted}`,
      };
  }
  if (token === ',' && open !== undefined && CLOSER[c.source[open]] === wanted)
    return {
      fix: `the ${c.source[open]} at ${c.where(open)} is still open here: close it with ${wanted} before the ,`,
    };
  if (wanted === '}' || wanted === ']' || wanted === ')')
    return {
      fix:
        'a comma may be missing before this (between entries, items or arguments), or an operator (& joins strings, ' +
        'and/or combine conditions); a field name that holds a space is quoted with ` (`first name`)',
    };
  if (wanted === ':') return { fix: 'an object entry is written "key": value, and a condition a ? b : c' };
  return { fix: `write ${wanted ?? 'the expected symbol'} here` };
}

/** S0207, the expression ends where a value is still needed. */
function endedEarly(c: Context): Hint {
  const trimmed = c.source.trimEnd();
  if (trimmed === '') return { at: 0, fix: 'the expression is empty: write one (a field name such as id is one)' };
  const last = /(\band|\bor|\bin|[-+*/%&=<>!~:?.,]+)$/.exec(trimmed)?.[1];
  if (last)
    return {
      at: trimmed.length - last.length,
      fix: `the expression ends after ${last}: complete it, or remove ${last}`,
    };
  return { fix: 'the expression ends too early: complete it' };
}

/** S0211, a symbol standing where a value should start. */
function unaryOperator(c: Context): Hint {
  const { source, start } = c;
  const token = String(c.error.token);
  // the whole run of operator characters the token stands in (`===`, `&&`, `=>`)
  const runStart = start + 1 - (/[=!<>&|]*$/.exec(source.slice(0, start + 1))?.[0].length ?? 0);
  const run = source.slice(runStart, runStart + (/^[=!<>&|]*/.exec(source.slice(runStart))?.[0].length ?? 0)) || token;
  if (token === '=' && /^[=!]==?$/.test(run)) {
    const rest = source.slice(runStart + run.length);
    const undefinedTest = /^\s*undefined\b/.test(rest) || /\bundefined\s*$/.test(source.slice(0, runStart));
    if (undefinedTest)
      return {
        at: runStart,
        fix:
          `JSONata has no undefined and no ${run}: test a missing field with $exists(field) (or $not($exists(field))), ` +
          'a JSON null with field = null',
      };
    return {
      at: runStart,
      fix: `write ${run.startsWith('!') ? '!=' : '='} for ${run}: JSONata compares with = and !=`,
    };
  }
  if (token === '&' && run === '&&')
    return {
      at: runStart,
      fix: 'write and for && (JSONata combines conditions with and, or, $not(); & joins strings)',
    };
  if (token === '>' && run === '=>')
    return { at: runStart, fix: 'JSONata has no arrow functions: write function($x) { $x * 2 }' };
  if (token === '>' && run === '<>') return { at: runStart, fix: 'write "not equal" as !=' };
  if (token === '?' && /\[\s*$/.test(source.slice(0, start)))
    return { at: start, fix: 'JSONata filters with a plain predicate, not JSONPath ?(@…): write items[price > 10]' };
  if (token === ')' || token === ']' || token === '}') {
    const before = source.slice(0, start).trimEnd();
    if (before.endsWith(','))
      return { at: before.length - 1, fix: `remove the trailing comma before ${token}: JSONata does not allow one` };
    return { fix: `a value is missing before ${token}` };
  }
  if (token === ':')
    return { fix: 'a value is missing before : (an object entry is "key": value, a condition a ? b : c)' };
  return { fix: `${token} needs a value on its left: a value or field may be missing before it` };
}

/** The first character of the offending token, from the offset just past it. */
function tokenStart(source: string, position: number | undefined, token: unknown): number {
  if (position === undefined) return 0;
  if (token === '(end)' || token === undefined || token === null) return Math.min(position, source.length);
  let length = typeof token === 'string' || typeof token === 'number' ? String(token).length : 0;
  // a quoted name or a string: the token is its value, the text has the quotes around it
  if (typeof token === 'string' && /[`"']/.test(source[position - 1] ?? '') && source[position - 1] !== token.at(-1))
    length += 2;
  let start = position - length;
  if (source[start - 1] === '$' && typeof token === 'string' && /^\w/.test(token)) start--;
  return Math.max(0, start);
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const OPENER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Offset of the innermost bracket still open at the end of `text` (strings, quoted names and comments skipped). */
function unclosedBracket(text: string): number | undefined {
  const open: number[] = [];
  scan(text, (ch, i) => {
    if (ch in CLOSER) open.push(i);
    else if (ch in OPENER) open.pop();
  });
  return open.at(-1);
}

/** Offset of the quote that opens a string still open at the end of the expression. */
function unclosedString(text: string): number | undefined {
  return scan(text, () => undefined);
}

/**
 * Walks the expression outside strings, `quoted names` and comments, calling `visit` for each such character;
 * returns the offset of a string that is still open at the end.
 */
function scan(text: string, visit: (ch: string, i: number) => void): number | undefined {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' || ch === "'" || ch === '`') {
      const from = i;
      for (i++; i < text.length && text[i] !== ch; i++) if (text[i] === '\\' && ch !== '`') i++;
      if (i >= text.length) return ch === '`' ? undefined : from;
    } else if (ch === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      i = end + 1;
    } else visit(ch, i);
  }
  return undefined;
}
