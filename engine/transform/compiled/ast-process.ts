/** Post-processing of the raw AST into jsonata-js's `ast()` shape: paths, stages, bindings, parent slots, tail calls. */
import type { Node } from './ast.js';
import { jerr } from './errors.js';
import { parseRaw } from './parser.js';

interface Slot { label: string; level: number; index: number }

class AstProcessor {
  private label = 0;
  private readonly ancestry: Node[] = [];

  seekParent(node: Node, slot: Slot): Slot {
    switch (node.type) {
      case 'name': case 'wildcard':
        slot.level--;
        if (slot.level === 0) {
          if (node.ancestor === undefined) node.ancestor = slot;
          else {
            this.ancestry[slot.index].slot.label = node.ancestor.label;
            node.ancestor = slot;
          }
          node.tuple = true;
        }
        break;
      case 'parent': slot.level++; break;
      case 'block':
        if (node.expressions.length > 0) {
          node.tuple = true;
          slot = this.seekParent(node.expressions[node.expressions.length - 1], slot);
        }
        break;
      case 'path': {
        node.tuple = true;
        let index = node.steps.length - 1;
        slot = this.seekParent(node.steps[index--], slot);
        while (slot.level > 0 && index >= 0) slot = this.seekParent(node.steps[index--], slot);
        break;
      }
      default:
        throw jerr('S0217', { token: node.type, position: node.position });
    }
    return slot;
  }

  pushAncestry(result: Node, value: Node): void {
    if (value.seekingParent !== undefined || value.type === 'parent') {
      const slots: Slot[] = value.seekingParent !== undefined ? value.seekingParent : [];
      if (value.type === 'parent') slots.push(value.slot);
      if (result.seekingParent === undefined) result.seekingParent = slots;
      else result.seekingParent.push(...slots);
    }
  }

  resolveAncestry(path: Node): void {
    let index = path.steps.length - 1;
    const last = path.steps[index];
    const slots: Slot[] = last.seekingParent !== undefined ? last.seekingParent : [];
    if (last.type === 'parent') slots.push(last.slot);
    for (let slot of slots) {
      index = path.steps.length - 2;
      while (slot.level > 0) {
        if (index < 0) {
          if (path.seekingParent === undefined) path.seekingParent = [slot];
          else path.seekingParent.push(slot);
          break;
        }
        let step = path.steps[index--];
        while (index >= 0 && step.focus && path.steps[index].focus) step = path.steps[index--];
        slot = this.seekParent(step, slot);
      }
    }
  }

  tailCall(expr: Node): Node {
    if (expr.type === 'function' && !expr.predicate) return { type: 'lambda', thunk: true, arguments: [], position: expr.position, body: expr };
    if (expr.type === 'condition') {
      expr.then = this.tailCall(expr.then);
      if (expr.else !== undefined) expr.else = this.tailCall(expr.else);
    } else if (expr.type === 'block' && expr.expressions.length > 0) {
      const n = expr.expressions.length;
      expr.expressions[n - 1] = this.tailCall(expr.expressions[n - 1]);
    }
    return expr;
  }

  process(expr: Node): Node {
    let result: Node;
    switch (expr.type) {
      case 'binary': result = this.binary(expr); break;
      case 'unary': {
        result = { type: expr.type, value: expr.value, position: expr.position };
        if (expr.value === '[') {
          result.expressions = expr.expressions.map((item: Node) => {
            const v = this.process(item);
            this.pushAncestry(result, v);
            return v;
          });
        } else if (expr.value === '{') {
          result.lhs = expr.lhs.map((pair: Node[]) => {
            const k = this.process(pair[0]);
            this.pushAncestry(result, k);
            const v = this.process(pair[1]);
            this.pushAncestry(result, v);
            return [k, v];
          });
        } else {
          result.expression = this.process(expr.expression);
          if (expr.value === '-' && result.expression.type === 'number') {
            result = result.expression;
            result.value = -result.value;
          } else this.pushAncestry(result, result.expression);
        }
        break;
      }
      case 'function': case 'partial': {
        result = { type: expr.type, name: expr.name, value: expr.value, position: expr.position };
        result.arguments = expr.arguments.map((arg: Node) => {
          const a = this.process(arg);
          this.pushAncestry(result, a);
          return a;
        });
        result.procedure = this.process(expr.procedure);
        break;
      }
      case 'lambda': {
        result = { type: expr.type, arguments: expr.arguments, signature: expr.signature, position: expr.position };
        result.body = this.tailCall(this.process(expr.body));
        break;
      }
      case 'condition': {
        result = { type: expr.type, position: expr.position };
        result.condition = this.process(expr.condition);
        this.pushAncestry(result, result.condition);
        result.then = this.process(expr.then);
        this.pushAncestry(result, result.then);
        if (expr.else !== undefined) {
          result.else = this.process(expr.else);
          this.pushAncestry(result, result.else);
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
          this.pushAncestry(result, part);
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
        result = { type: 'parent', slot: { label: '!' + this.label++, level: 1, index: this.ancestry.length } };
        this.ancestry.push(result);
        break;
      case 'string': case 'number': case 'value': case 'wildcard': case 'descendant': case 'variable': case 'regex':
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
        if (rest.type === 'function' && rest.procedure.type === 'path' && rest.procedure.steps.length === 1 &&
          rest.procedure.steps[0].type === 'name' && steps[steps.length - 1].type === 'function') {
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
          if (step.type === 'number' || step.type === 'value') throw jerr('S0213', { position: step.position, value: step.value });
          if (step.type === 'string') step.type = 'name';
        }
        if (steps.some((s) => s.keepArray === true)) result.keepSingletonArray = true;
        if (steps[0].type === 'unary' && steps[0].value === '[') steps[0].consarray = true;
        const last = steps[steps.length - 1];
        if (last.type === 'unary' && last.value === '[') last.consarray = true;
        this.resolveAncestry(result);
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
            if (slot.level === 1) this.seekParent(step, slot);
            else slot.level--;
          }
          this.pushAncestry(step, predicate);
        }
        step[type].push({ type: 'filter', expr: predicate, position: expr.position });
        return result;
      }
      case '{': {
        result = this.process(expr.lhs);
        if (result.group !== undefined) throw jerr('S0210', { position: expr.position });
        result.group = { lhs: expr.rhs.map((p: Node[]) => [this.process(p[0]), this.process(p[1])]), position: expr.position };
        return result;
      }
      case '^': {
        result = this.process(expr.lhs);
        if (result.type !== 'path') result = { type: 'path', steps: [result] };
        const sortStep: Node = { type: 'sort', position: expr.position };
        sortStep.terms = expr.rhs.map((term: Node) => {
          const expression = this.process(term.expression);
          this.pushAncestry(sortStep, expression);
          return { descending: term.descending, expression };
        });
        result.steps.push(sortStep);
        this.resolveAncestry(result);
        return result;
      }
      case ':=': {
        result = { type: 'bind', value: expr.value, position: expr.position };
        result.lhs = this.process(expr.lhs);
        result.rhs = this.process(expr.rhs);
        this.pushAncestry(result, result.rhs);
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
        this.pushAncestry(result, result.lhs);
        this.pushAncestry(result, result.rhs);
        return result;
      }
    }
  }
}

/** Parses JSONata source into the processed AST the compiler consumes. */
export function parse(source: string): Node {
  const ast = new AstProcessor().process(parseRaw(source));
  if (ast.type === 'parent' || ast.seekingParent !== undefined) throw jerr('S0217', { token: ast.type, position: ast.position });
  return ast;
}
