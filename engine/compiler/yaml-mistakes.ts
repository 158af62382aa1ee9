/**
 * What the YAML parser's errors mean for a spec author: each reported where the mistake stands (an unclosed quote or
 * bracket at its opening character, a misindented line at its first character) with what to do about it. One mistake
 * often makes the parser report more on the same line or the next one (it reads what follows differently): those
 * follow-ons are left out, and the first problem says how many, so the author fixes one thing at a time.
 */
import { isScalar, visit } from 'yaml';
import type { Document, LineCounter, Scalar, YAMLError, YAMLWarning } from 'yaml';
import type { Diagnostic } from './diagnostics.js';

interface ParsedText {
  file: string;
  text: string;
  lineCounter: LineCounter;
}

/** The diagnostics of a document's parse errors (and unresolved tags), follow-ons left out. */
export function describeParseProblems(
  doc: Document.Parsed,
  problems: (YAMLError | YAMLWarning)[],
  source: ParsedText,
): Diagnostic[] {
  const { file, text, lineCounter } = source;
  const at = (offset: number) => lineCounter.linePos(offset);
  // The parser ran out of stack and gave up: what else it reported depends on where the stack ran out (the machine,
  // the Node version), so the diagnostic is the overflow alone, the same everywhere.
  const overflow = problems.find((e) => e.message.includes('Maximum call stack size exceeded'));
  if (overflow) {
    const { line, col } = at(overflow.pos[0]);
    return [diag(file, line, col, 'yaml-syntax', describeYamlError(overflow.code, overflow.message, ''))];
  }
  const described = problems.flatMap((e, i): Diagnostic[] => {
    const { line, col } = at(e.pos[0]);
    if (e.code === 'TAG_RESOLVE_FAILED')
      return [diag(file, line, col, 'yaml-tag', describeTag(text.slice(e.pos[0], e.pos[1])))];
    if (e.code === 'DUPLICATE_KEY')
      return [diag(file, line, col, 'yaml-duplicate-key', describeDuplicateKey(doc, e.pos[0], lineCounter))];
    // The parser reports a value holding `: ` twice at one place: one explanation is enough.
    if (e.code === 'MULTILINE_IMPLICIT_KEY' && problems[i - 1]?.code === 'BLOCK_AS_IMPLICIT_KEY') {
      if (problems[i - 1].pos[0] === e.pos[0]) return [];
    }
    const opened = e.code === 'MISSING_CHAR' ? openingQuote(doc, e.pos[0]) : undefined;
    if (opened !== undefined) {
      const start = at(opened);
      const quote = text[opened];
      const message = `the ${quote === "'" ? 'single' : 'double'} quote opened here is never closed: end the value with ${quote}`;
      return [diag(file, start.line, start.col, 'yaml-syntax', message)];
    }
    const lineText = text.slice(e.pos[0] - col + 1).split(/\r?\n/, 1)[0];
    if (/^Flow (sequence|map) in block collection/.test(e.message)) {
      const flow = unclosedFlow(text, e.pos[0], lineCounter);
      if (flow) return [diag(file, flow.line, flow.col, 'yaml-syntax', flow.message)];
    }
    const nested = e.code === 'BLOCK_AS_IMPLICIT_KEY' ? indentedUnderValue(text, line, lineText) : undefined;
    if (nested) return [diag(file, nested.line, nested.col, 'yaml-syntax', nested.message)];
    const misplaced =
      e.message.startsWith('Sequence item without') || e.message.startsWith('All mapping items must start')
        ? (misindentedItemLine(text, line, lineText) ?? misindentedKey(text, line, lineText))
        : undefined;
    if (misplaced) return [diag(file, line, misplaced.col, 'yaml-syntax', misplaced.message)];
    return [diag(file, line, col, 'yaml-syntax', describeYamlError(e.code, e.message, lineText))];
  });
  return withoutFollowOns(described);
}

/**
 * A syntax problem on the line of the one reported before it, or on the next line, follows from it: left out, and
 * counted in the message of the one kept. Repeated keys and tags stand on their own.
 */
function withoutFollowOns(diagnostics: Diagnostic[]): Diagnostic[] {
  const kept: { diagnostic: Diagnostic; followOns: number; lastLine: number }[] = [];
  for (const d of diagnostics) {
    const previous = kept.at(-1);
    const follows =
      d.code === 'yaml-syntax' &&
      previous?.diagnostic.code === 'yaml-syntax' &&
      d.line >= previous.diagnostic.line &&
      d.line <= previous.lastLine + 1;
    if (follows) {
      previous.followOns++;
      previous.lastLine = d.line;
    } else kept.push({ diagnostic: d, followOns: 0, lastLine: d.line });
  }
  return kept.map(({ diagnostic, followOns }) =>
    followOns === 0
      ? diagnostic
      : {
          ...diagnostic,
          message:
            `${diagnostic.message} (the parser reports ${
              followOns === 1 ? 'one more problem' : `${followOns} more ` + 'problems'
            } right after this one, which follow${followOns === 1 ? 's' : ''} from it: fix this one and ` +
            'validate again)',
        },
  );
}

/**
 * A `[ … ]` or `{ … }` that the parser found unfinished where the block it stands in goes on: the bracket is never
 * closed, or its later lines are not indented more than its key. Found by reading the lines before the error for
 * the bracket that is still open (quoted text and comments skipped).
 */
function unclosedFlow(
  text: string,
  errorOffset: number,
  lineCounter: LineCounter,
): { line: number; col: number; message: string } | undefined {
  const open: number[] = [];
  for (const i of bracketsOutsideQuotes(text, 0, errorOffset)) {
    const ch = text[i];
    if (ch === '[' || ch === '{') {
      if (open.length > 0 || startsValue(text, i)) open.push(i);
    } else if (open.length > 0 && CLOSER[text[open.at(-1)!]] === ch) open.pop();
  }
  const start = open.at(-1);
  if (start === undefined) return undefined;
  const bracket = text[start];
  const close = bracket === '[' ? ']' : '}';
  const kind = bracket === '[' ? 'list' : 'mapping';
  const { line, col } = lineCounter.linePos(start);
  const closer = closingBracket(text, start);
  let message = `the ${bracket} opened here is never closed: end the ${kind} with ${close}`;
  if (closer !== undefined && text[closer] !== close) {
    const at = lineCounter.linePos(closer);
    message = `the ${bracket} opened here is closed by the ${text[closer]} at ${at.line}:${at.col}: close it with ${close}`;
  } else if (closer !== undefined)
    message =
      `the lines of the ${bracket} ${close} ${kind} opened here must be indented more than the line it opens on: ` +
      `indent them, or write the ${kind} on one line`;
  return { line, col, message };
}

/** Whether the character at `i` starts a value: first on its line, or after `:`, `-`, `,`, `[`, `{` and a space. */
function startsValue(text: string, i: number): boolean {
  const before = /[^ \t]?[ \t]*$/.exec(text.slice(Math.max(0, i - 200), i))![0];
  return before === '' || /^[\n:\-,[{]/.test(before);
}

const CLOSER: Record<string, string> = { '[': ']', '{': '}' };

/** Offset of the bracket that closes the one at `start` (of either kind: a mismatch is the author's), if any. */
function closingBracket(text: string, start: number): number | undefined {
  let depth = 0;
  for (const i of bracketsOutsideQuotes(text, start, text.length)) {
    if (text[i] === '[' || text[i] === '{') depth++;
    else if (--depth === 0) return i;
  }
  return undefined;
}

/** Offsets of the `[ { ] }` in `text` from `from` to before `to`, passing over quoted scalars and comments. */
function* bracketsOutsideQuotes(text: string, from: number, to: number): Generator<number> {
  let quote: string | undefined;
  for (let i = from; i < to; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === quote && !(quote === '"' && text[i - 1] === '\\')) quote = undefined;
    } else if (ch === '#' && /\s/.test(text[i - 1] ?? '\n')) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl - 1;
    } else if ((ch === '"' || ch === "'") && startsValue(text, i)) quote = ch;
    else if (ch === '[' || ch === '{' || ch === ']' || ch === '}') yield i;
  }
}

/**
 * A `key: value` line indented under the plain value of the line before it (which holds no `: ` itself): YAML reads it
 * as part of that value. Reported at the line, with the column of the key it should line up with.
 */
function indentedUnderValue(
  text: string,
  line: number,
  lineText: string,
): { line: number; col: number; message: string } | undefined {
  const pair = /^( *)(- +)?[^\s:#][^:#]*:[ \t]+(.*)$/.exec(lineText);
  if (!pair || /:[ \t]/.test(pair[3]) || /^[|>'"[{&*!]/.test(pair[3])) return undefined;
  const keyColumn = pair[1].length + (pair[2]?.length ?? 0) + 1;
  const lines = text.split(/\r?\n/);
  for (let i = line; i < lines.length; i++) {
    if (lines[i].trim() === '' || lines[i].trimStart().startsWith('#')) continue;
    const indent = /^ */.exec(lines[i])![0].length;
    if (indent + 1 <= keyColumn || !/^ *[^\s:#][^:#]*:([ \t]|$)/.test(lines[i])) return undefined;
    return {
      line: i + 1,
      col: indent + 1,
      message:
        `this line is indented to column ${indent + 1}, under the value of line ${line}, which YAML then reads as ` +
        `one multi-line value: indent it to column ${keyColumn} like the key above it, or further in only under a ` +
        'key with no value',
    };
  }
  return undefined;
}

/**
 * A key indented to a column that no mapping above it uses: where it stands, and the columns of the mappings it can
 * belong to (those of the lines it would nest under, from the nearest up).
 */
function misindentedKey(text: string, line: number, lineText: string): { col: number; message: string } | undefined {
  const indent = /^ */.exec(lineText)![0].length;
  if (lineText.trim() === '') return undefined;
  const lines = text.split(/\r?\n/);
  const columns: number[] = [];
  let smallest = Infinity;
  for (let i = line - 2; i >= 0 && smallest > 0; i--) {
    const above = lines[i];
    if (above.trim() === '' || above.trimStart().startsWith('#')) continue;
    const item = /^( *)(- +)?/.exec(above)!;
    const keyColumn = item[1].length + (item[2]?.length ?? 0);
    if (item[1].length >= smallest) continue;
    smallest = item[1].length;
    if (!columns.includes(keyColumn + 1)) columns.push(keyColumn + 1);
  }
  if (columns.length === 0 || columns.includes(indent + 1)) return undefined;
  const list = columns.map(String);
  const named = list.length === 1 ? `column ${list[0]}` : `columns ${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
  return {
    col: indent + 1,
    message:
      `this line is indented to column ${indent + 1}, where no mapping above it has its keys: indent it to ` +
      `${named}, like the keys of the mapping it belongs to`,
  };
}
/** Names the repeated key and where it first stands. */
function describeDuplicateKey(doc: Document.Parsed, offset: number, lineCounter: LineCounter): string {
  let message = 'a key is repeated in this mapping; each key may appear once';
  visit(doc, {
    Map(_, map) {
      const repeated = map.items.find((p) => isScalar(p.key) && p.key.range?.[0] === offset);
      if (!repeated) return undefined;
      const key = (repeated.key as Scalar).value;
      const first = map.items.find((p) => isScalar(p.key) && p.key.value === key)!.key as Scalar;
      message = `\`${String(key)}\` is already a key of this mapping (line ${lineCounter.linePos(first.range![0]).line}); each key may appear once`;
      return visit.BREAK;
    },
  });
  return message;
}

/** The parser's message, with what a spec author can do about it. `line`: the text of the line it points at. */
function describeYamlError(code: string, message: string, line: string): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'TAB_AS_INDENT' || /^ *\t/.test(line)) return `${first}; indent with spaces, never tabs`;
  if (code === 'BLOCK_AS_IMPLICIT_KEY')
    return (
      'a value here holds `: ` (or the next line is indented under it), which YAML reads as a nested key: quote the ' +
      'value, or write an expression with a `:` (a condition `a ? b : c`, an object) as a block (`|`), or fix the ' +
      'indentation of the next line'
    );
  if (code === 'MULTILINE_IMPLICIT_KEY')
    return (
      `${first}: this line is not \`key: value\` (is the \`:\` or the space after it missing?), or the lines ` +
      'around it are not indented alike'
    );
  if (first.startsWith('Plain value cannot start with')) return `${first}; quote the value`;
  if (first.includes('Maximum call stack size exceeded'))
    return 'the YAML is nested too deeply to read (thousands of levels of [ or {): a spec needs only a few';
  if (first.startsWith('Invalid escape sequence'))
    return `${first}; in double quotes a backslash is written \\\\, or quote the value with ' instead`;
  return first;
}

/**
 * A line of a list item indented between the item's `-` and its keys (the parser's "Sequence item without -
 * indicator"): where it stands, and the two columns it can move to.
 */
function misindentedItemLine(
  text: string,
  line: number,
  lineText: string,
): { col: number; message: string } | undefined {
  const indent = /^ */.exec(lineText)![0].length;
  const lines = text.split(/\r?\n/);
  for (let i = line - 2; i >= 0; i--) {
    const item = /^( *)- +(?=\S)/.exec(lines[i]);
    const lineIndent = /^ */.exec(lines[i])![0].length;
    if (!item) {
      if (lines[i].trim() === '' || lines[i].trimStart().startsWith('#') || lineIndent > indent) continue;
      return undefined;
    }
    const [dash, keys] = [item[1].length + 1, item[0].length + 1];
    if (!(dash - 1 <= indent && indent + 1 < keys)) return undefined;
    const where =
      indent + 1 === dash
        ? `the column of the \`-\` of the list item on line ${i + 1}, not that of the item's keys (column ${keys})`
        : `between the \`-\` of the list item on line ${i + 1} (column ${dash}) and that item's keys (column ${keys})`;
    return {
      col: indent + 1,
      message:
        `this line is indented to column ${indent + 1}, ${where}: indent it to column ${keys} to go on with the ` +
        `item, or start a new item with \`- \` at column ${dash}`,
    };
  }
  return undefined;
}

/** Where the quoted scalar that the parser found unclosed at `offset` opens. */
function openingQuote(doc: Document.Parsed, offset: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_, node) {
      const range = node.range;
      if (!range || (node.type !== 'QUOTE_DOUBLE' && node.type !== 'QUOTE_SINGLE')) return;
      if (range[0] < offset && offset <= range[2] && (start === undefined || range[0] > start)) start = range[0];
    },
  });
  return start;
}

function describeTag(tag: string): string {
  return (
    `the YAML tag \`${tag}\` has no JSON equivalent; a spec holds only strings, numbers, booleans, null, lists and ` +
    'mappings: remove the tag (quote the value if it must stay text)'
  );
}

function diag(file: string, line: number, col: number, code: Diagnostic['code'], message: string): Diagnostic {
  return { file, line, col, severity: 'error', code, message };
}
