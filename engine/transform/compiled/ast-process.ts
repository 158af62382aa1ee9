/**
 * Post-processing of the raw AST into jsonata-js's `ast()` shape: paths and steps, predicates as `stages`, group-by,
 * sort steps, `@`/`#` tuple bindings. Parent slots are resolved by parent-slots.ts, tail calls marked by tail-calls.ts.
 */
import type { Node } from './ast.js';
import { jerr } from './errors.js';
import type { Slot } from './parent-slots.js';
import { ParentSlots } from './parent-slots.js';
import { parseRaw } from './parser.js';
import { markTailCalls } from './tail-calls.js';

class AstProcessor {
  private readonly parents = new ParentSlots();

  process(expr: Node): Node {
    let result: Node;
    switch (expr.type) {
      case 'binary':
        result = this.binary(expr);
        break;
      case 'unary': {
        result = { type: expr.type, value: expr.value, position: expr.position };
        if (expr.value === '[') {
          result.expressions = expr.expressions.map((item: Node) => {
            const v = this.process(item);
            this.parents.pushAncestry(result, v);
            return v;
          });
        } else if (expr.value === '{') {
          result.lhs = expr.lhs.map((pair: Node[]) => {
            const k = this.process(pair[0]);
            this.parents.pushAncestry(result, k);
            const v = this.process(pair[1]);
            this.parents.pushAncestry(result, v);
            return [k, v];
          });
        } else {
          result.expression = this.process(expr.expression);
          if (expr.value === '-' && result.expression.type === 'number') {
            result = result.expression;
            result.value = -result.value;
          } else this.parents.pushAncestry(result, result.expression);
        }
        break;
      }
      case 'function':
      case 'partial': {
        result = { type: expr.type, name: expr.name, value: expr.value, position: expr.position };
        result.arguments = expr.arguments.map((arg: Node) => {
          const a = this.process(arg);
          this.parents.pushAncestry(result, a);
          return a;
        });
        result.procedure = this.process(expr.procedure);
        break;
      }
      case 'lambda': {
        result = { type: expr.type, arguments: expr.arguments, signature: expr.signature, position: expr.position };
        result.body = markTailCalls(this.process(expr.body));
        break;
      }
      case 'condition': {
        result = { type: expr.type, position: expr.position };
        result.condition = this.process(expr.condition);
        this.parents.pushAncestry(result, result.condition);
        result.then = this.process(expr.then);
        this.parents.pushAncestry(result, result.then);
        if (expr.else !== undefined) {
          result.else = this.process(expr.else);
          this.parents.pushAncestry(result, result.else);
        }
        break;
      }
      case 'transform': {
        result = { type: expr.type, position: expr.position };
        result.pattern = this.process(expr.pattern);
        result.update = this.process(expr.update);
        if (expr.delete !== undefined) result.delete = this.process(expr.delete);
        break;
      }
      case 'block': {
        result = { type: expr.type, position: expr.position };
        result.expressions = expr.expressions.map((item: Node) => {
          const part = this.process(item);
          this.parents.pushAncestry(result, part);
          if (part.consarray || (part.type === 'path' && part.steps[0].consarray)) result.consarray = true;
          return part;
        });
        break;
      }
      case 'name':
        result = { type: 'path', steps: [expr] };
        if (expr.keepArray) result.keepSingletonArray = true;
        break;
      case 'parent':
        result = this.parents.parent();
        break;
      case 'string':
      case 'number':
      case 'value':
      case 'wildcard':
      case 'descendant':
      case 'variable':
      case 'regex':
        result = expr;
        break;
      case 'operator':
        if (expr.value === '?') {
          result = expr;
          break;
        }
        throw jerr('S0201', { position: expr.position, token: expr.value });
      default:
        throw jerr(expr.type === 'end' ? 'S0207' : 'S0206', { position: expr.position, token: expr.value });
    }
    if (expr.keepArray) result.keepArray = true;
    return result;
  }

  private binary(expr: Node): Node {
    let result: Node;
    switch (expr.value) {
      case '.': {
        const lstep = this.process(expr.lhs);
        result = lstep.type === 'path' ? lstep : { type: 'path', steps: [lstep] };
        if (lstep.type === 'parent') result.seekingParent = [lstep.slot];
        const rest = this.process(expr.rhs);
        const steps: Node[] = result.steps;
        if (
          rest.type === 'function' &&
          rest.procedure.type === 'path' &&
          rest.procedure.steps.length === 1 &&
          rest.procedure.steps[0].type === 'name' &&
          steps[steps.length - 1].type === 'function'
        ) {
          steps[steps.length - 1].nextFunction = rest.procedure.steps[0].value;
        }
        if (rest.type === 'path') steps.push(...rest.steps);
        else {
          if (rest.predicate !== undefined) {
            rest.stages = rest.predicate;
            delete rest.predicate;
          }
          steps.push(rest);
        }
        for (const step of steps) {
          if (step.type === 'number' || step.type === 'value')
            throw jerr('S0213', { position: step.position, value: step.value });
          if (step.type === 'string') step.type = 'name';
        }
        if (steps.some((s) => s.keepArray === true)) result.keepSingletonArray = true;
        if (steps[0].type === 'unary' && steps[0].value === '[') steps[0].consarray = true;
        const last = steps[steps.length - 1];
        if (last.type === 'unary' && last.value === '[') last.consarray = true;
        this.parents.resolveAncestry(result);
        return result;
      }
      case '[': {
        result = this.process(expr.lhs);
        let step = result;
        let type = 'predicate';
        if (result.type === 'path') {
          step = result.steps[result.steps.length - 1];
          type = 'stages';
        }
        if (step.group !== undefined) throw jerr('S0209', { position: expr.position });
        if (step[type] === undefined) step[type] = [];
        const predicate = this.process(expr.rhs);
        if (predicate.seekingParent !== undefined) {
          for (const slot of predicate.seekingParent as Slot[]) {
            if (slot.level === 1) this.parents.seekParent(step, slot);
            else slot.level--;
          }
          this.parents.pushAncestry(step, predicate);
        }
        step[type].push({ type: 'filter', expr: predicate, position: expr.position });
        return result;
      }
      case '{': {
        result = this.process(expr.lhs);
        if (result.group !== undefined) throw jerr('S0210', { position: expr.position });
        result.group = {
          lhs: expr.rhs.map((p: Node[]) => [this.process(p[0]), this.process(p[1])]),
          position: expr.position,
        };
        return result;
      }
      case '^': {
        result = this.process(expr.lhs);
        if (result.type !== 'path') result = { type: 'path', steps: [result] };
        const sortStep: Node = { type: 'sort', position: expr.position };
        sortStep.terms = expr.rhs.map((term: Node) => {
          const expression = this.process(term.expression);
          this.parents.pushAncestry(sortStep, expression);
          return { descending: term.descending, expression };
        });
        result.steps.push(sortStep);
        this.parents.resolveAncestry(result);
        return result;
      }
      case ':=': {
        result = { type: 'bind', value: expr.value, position: expr.position };
        result.lhs = this.process(expr.lhs);
        result.rhs = this.process(expr.rhs);
        this.parents.pushAncestry(result, result.rhs);
        return result;
      }
      case '@': {
        result = this.process(expr.lhs);
        let step = result;
        if (result.type === 'path') step = result.steps[result.steps.length - 1];
        if (step.stages !== undefined || step.predicate !== undefined) throw jerr('S0215', { position: expr.position });
        if (step.type === 'sort') throw jerr('S0216', { position: expr.position });
        if (expr.keepArray) step.keepArray = true;
        step.focus = expr.rhs.value;
        step.tuple = true;
        return result;
      }
      case '#': {
        result = this.process(expr.lhs);
        let step = result;
        if (result.type === 'path') step = result.steps[result.steps.length - 1];
        else {
          result = { type: 'path', steps: [result] };
          if (step.predicate !== undefined) {
            step.stages = step.predicate;
            delete step.predicate;
          }
        }
        if (step.stages === undefined) step.index = expr.rhs.value;
        else step.stages.push({ type: 'index', value: expr.rhs.value });
        step.tuple = true;
        return result;
      }
      case '~>': {
        result = { type: 'apply', value: expr.value, position: expr.position };
        result.lhs = this.process(expr.lhs);
        result.rhs = this.process(expr.rhs);
        result.keepArray = result.lhs.keepArray || result.rhs.keepArray;
        return result;
      }
      default: {
        result = { type: expr.type, value: expr.value, position: expr.position };
        result.lhs = this.process(expr.lhs);
        result.rhs = this.process(expr.rhs);
        this.parents.pushAncestry(result, result.lhs);
        this.parents.pushAncestry(result, result.rhs);
        return result;
      }
    }
  }
}

/** Parses JSONata source into the processed AST the compiler consumes. */
export function parse(source: string): Node {
  const ast = new AstProcessor().process(parseRaw(source));
  if (ast.type === 'parent' || ast.seekingParent !== undefined)
    throw jerr('S0217', { token: ast.type, position: ast.position });
  return ast;
}
