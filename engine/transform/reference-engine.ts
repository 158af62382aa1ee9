/**
 * jsonata-js 2.2.2, the reference implementation, behind the TransformEngine interface (`--transform-engine
 * reference`).
 */
import jsonata from 'jsonata';
import type { CompiledExpression, TransformEngine, TransformGuards } from './transform-engine.js';
import { TransformError } from './transform-engine.js';

export const referenceEngine: TransformEngine = {
  name: 'reference',
  compile(source: string): CompiledExpression {
    let expression: jsonata.Expression;
    try {
      expression = jsonata(source);
    } catch (error) {
      const e = error as { message: string; code: string; position?: number; token?: unknown };
      throw new TransformError(e.message, e.code, e.position, e.token, { cause: error });
    }
    return {
      source,
      evaluate(input: unknown, bindings?: Record<string, unknown>, guards?: TransformGuards) {
        void guards;
        return expression.evaluate(input, bindings);
      },
      ast: () => expression.ast(),
    };
  },
};
