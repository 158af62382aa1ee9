/** Pratt parser: JSONata source -> raw AST (before path/predicate/binding post-processing in ast-process.ts). */
import type { Node } from './ast.js';
import { jerr } from './errors.js';
import type { Token } from './lexer.js';
import { Lexer, OPERATORS } from './lexer.js';
import { parseSignature } from './signature.js';

const TERMINATORS = new Set([':', ';', ',', ')', ']', '}', '..', '|']);

class Parser {
  private readonly lexer: Lexer;
  private tok!: Token;
  private id = '';

  constructor(private readonly src: string) {
    this.lexer = new Lexer(src);
  }

  parse(): Node {
    this.advance(undefined, false);
    const expr = this.expression(0);
    if (this.id !== '(end)') throw jerr('S0201', { position: this.tok.position, token: this.tok.value });
    return expr;
  }

  private advance(expect?: string, infix = false): void {
    if (expect !== undefined && this.id !== expect) {
      const code = this.id === '(end)' ? 'S0203' : 'S0202';
      throw jerr(code, { position: this.tok.position, token: this.tok.value, value: expect });
    }
    const t = this.lexer.next(infix);
    this.tok = t;
    switch (t.type) {
      case 'end':
        this.id = '(end)';
        break;
      case 'name':
      case 'variable':
        this.id = '(name)';
        break;
      case 'operator':
        if (OPERATORS[t.value as string] === undefined) throw jerr('S0204', { position: t.position, token: t.value });
        this.id = t.value as string;
        break;
      case 'regex':
        this.id = '(regex)';
        break;
      default:
        this.id = '(literal)';
    }
  }

  private cur(): string {
    return this.id;
  }

  private lbp(): number {
    if (this.tok.type !== 'operator' || TERMINATORS.has(this.id)) return 0;
    return OPERATORS[this.id] ?? 0;
  }

  private expression(rbp: number): Node {
    let t = this.tok;
    let id = this.id;
    this.advance(undefined, true);
    let left = this.nud(t, id);
    while (rbp < this.lbp()) {
      t = this.tok;
      id = this.id;
      this.advance();
      left = this.led(t, id, left);
    }
    return left;
  }

  private nud(t: Token, id: string): Node {
    const position = t.position;
    switch (id) {
      case '(end)':
        return { type: 'end', value: '(end)', position: this.src.length };
      case '(name)':
      case '(literal)':
      case '(regex)':
        return { value: t.value, type: t.type, position };
      case 'and':
      case 'or':
      case 'in':
        return { value: t.value, type: 'name', position };
      case '-':
        return { type: 'unary', value: '-', position, expression: this.expression(70) };
      case '*':
        return { value: '*', type: 'wildcard', position };
      case '**':
        return { value: '**', type: 'descendant', position };
      case '%':
        return { value: '%', type: 'parent', position };
      case '(': {
        const expressions: Node[] = [];
        while (this.id !== ')') {
          expressions.push(this.expression(0));
          if (this.id !== ';') break;
          this.advance(';');
        }
        this.advance(')', true);
        return { type: 'block', position, expressions };
      }
      case '[': {
        const expressions: Node[] = [];
        if (this.id !== ']') {
          for (;;) {
            let item = this.expression(0);
            if (this.id === '..') {
              const rp = this.tok.position;
              this.advance('..');
              item = { type: 'binary', value: '..', position: rp, lhs: item, rhs: this.expression(0) };
            }
            expressions.push(item);
            if (this.id !== ',') break;
            this.advance(',');
          }
        }
        this.advance(']', true);
        return { value: '[', type: 'unary', position, expressions };
      }
      case '{':
        return { value: '{', type: 'unary', position, lhs: this.pairs() };
      case '|': {
        const pattern = this.expression(0);
        this.advance('|');
        const update = this.expression(0);
        let del: Node | undefined;
        if (this.id === ',') {
          this.advance(',');
          del = this.expression(0);
        }
        this.advance('|', true);
        const node: Node = { type: 'transform', position, pattern, update };
        if (del) node.delete = del;
        return node;
      }
      default:
        throw jerr('S0211', { position, token: t.value });
    }
  }

  private pairs(): Node[][] {
    const pairs: Node[][] = [];
    if (this.id !== '}') {
      for (;;) {
        const key = this.expression(0);
        this.advance(':');
        const value = this.expression(0);
        pairs.push([key, value]);
        if (this.id !== ',') break;
        this.advance(',');
      }
    }
    this.advance('}', true);
    return pairs;
  }

  private led(t: Token, id: string, left: Node): Node {
    const position = t.position;
    switch (id) {
      case '(':
        return this.call(left, position);
      case '[': {
        if (this.id === ']') {
          let step = left;
          while (step && step.type === 'binary' && step.value === '[') step = step.lhs;
          step.keepArray = true;
          this.advance(']', true);
          return left;
        }
        const rhs = this.expression(OPERATORS[']']);
        this.advance(']', true);
        return { value: '[', type: 'binary', position, lhs: left, rhs };
      }
      case '{':
        return { value: '{', type: 'binary', position, lhs: left, rhs: this.pairs() };
      case '?': {
        const node: Node = { type: 'condition', position, condition: left, then: this.expression(0) };
        if (this.id === ':') {
          this.advance(':');
          node.else = this.expression(0);
        }
        return node;
      }
      case '?:':
        return {
          type: 'condition',
          position,
          condition: left,
          then: structuredClone(left),
          else: this.expression(OPERATORS['?:']),
        };
      case '??': {
        const condition = {
          type: 'function',
          value: '(',
          procedure: { type: 'variable', value: 'exists' },
          arguments: [left],
        };
        return {
          type: 'condition',
          position,
          condition,
          then: structuredClone(left),
          else: this.expression(OPERATORS['??']),
        };
      }
      case ':=': {
        if (left.type !== 'variable') throw jerr('S0212', { position: left.position, token: left.value }); // as jsonata-js
        return { value: ':=', type: 'binary', position, lhs: left, rhs: this.expression(OPERATORS[':='] - 1) };
      }
      case '@':
      case '#': {
        const rhs = this.expression(OPERATORS[id]);
        if (rhs.type !== 'variable') throw jerr('S0214', { position: rhs.position, token: id });
        return { value: id, type: 'binary', position, lhs: left, rhs };
      }
      case '^': {
        this.advance('(');
        const terms: Node[] = [];
        for (;;) {
          let descending = false;
          if (this.id === '<') this.advance('<');
          else if (this.id === '>') {
            descending = true;
            this.advance('>');
          }
          terms.push({ type: 'term', descending, expression: this.expression(0) });
          if (this.id !== ',') break;
          this.advance(',');
        }
        this.advance(')', true);
        return { value: '^', type: 'binary', position, lhs: left, rhs: terms };
      }
      case '**':
        // an operator with no infix meaning: jsonata-js's syntax error, not an unknown operator
        throw jerr('S0201', { position, token: t.value });
      default:
        return { value: t.value, type: 'binary', position, lhs: left, rhs: this.expression(OPERATORS[id]) };
    }
  }

  private call(left: Node, position: number): Node {
    const args: Node[] = [];
    let type = 'function';
    if (this.id !== ')') {
      for (;;) {
        if (this.id === '?') {
          type = 'partial';
          args.push({ type: 'operator', value: '?', position: this.tok.position });
          this.advance('?');
        } else args.push(this.expression(0));
        if (this.id !== ',') break;
        this.advance(',');
      }
    }
    this.advance(')', true);
    if (left.type === 'name' && (left.value === 'function' || left.value === '\u03BB')) {
      args.forEach((arg, index) => {
        if (arg.type !== 'variable')
          throw jerr('S0208', { position: arg.position, token: arg.value, value: index + 1 });
      });
      const node: Node = { type: 'lambda', value: '(', position, arguments: args };
      if ((this.id as string) === '<') {
        const sigPos = this.tok.position;
        let depth = 1;
        let sig = '<';
        while (depth > 0 && this.cur() !== '{' && this.cur() !== '(end)') {
          this.advance();
          if (this.cur() === '>') depth--;
          else if (this.cur() === '<') depth++;
          sig += String(this.tok.value);
        }
        this.advance('>');
        node.signature = parseSignature(sig, sigPos);
      }
      this.advance('{');
      node.body = this.expression(0);
      this.advance('}', true);
      return node;
    }
    return { type, value: '(', position, arguments: args, procedure: left };
  }
}

export function parseRaw(source: string): Node {
  return new Parser(source).parse();
}
