/**
 * Parent (`%`) resolution while the AST is post-processed: each `%` gets a slot, and the slot is bound to the step
 * (a name, wildcard, block or path) whose context it refers to. That step is then marked as a tuple step that records
 * its input under the slot's label for the compiled path to read back.
 */
import type { Node } from './ast.js';
import { jerr } from './errors.js';

export interface Slot {
  label: string;
  level: number;
  index: number;
}

export class ParentSlots {
  private label = 0;
  private readonly ancestry: Node[] = [];

  /** A new `parent` node with its own slot, one level up. */
  parent(): Node {
    const node: Node = { type: 'parent', slot: { label: '!' + this.label++, level: 1, index: this.ancestry.length } };
    this.ancestry.push(node);
    return node;
  }

  /** Walks `slot` back through `node`; binds it to the step where its level reaches 0. */
  seekParent(node: Node, slot: Slot): Slot {
    switch (node.type) {
      case 'name':
      case 'wildcard':
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
      case 'parent':
        slot.level++;
        break;
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

  /** Carries the unresolved parent slots of `value` (a sub-expression) up to `result`. */
  pushAncestry(result: Node, value: Node): void {
    if (value.seekingParent !== undefined || value.type === 'parent') {
      const slots: Slot[] = value.seekingParent !== undefined ? value.seekingParent : [];
      if (value.type === 'parent') slots.push(value.slot);
      if (result.seekingParent === undefined) result.seekingParent = slots;
      else result.seekingParent.push(...slots);
    }
  }

  /** Resolves the slots sought by a path's last step against its earlier steps; the rest stay on the path. */
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
}
