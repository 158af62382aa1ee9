/**
 * An integration's `functions`: each checked where it is written (its JSONata, that it is a function, that its name
 * can be called and hides nothing), then all compiled once together (transform/spec-functions.ts). Returns what binds
 * them to the spec's expressions that name one.
 */
import type { CompiledExpression } from '../transform/transform-engine.js';
import { compileFunctionBlock, withFunctions } from '../transform/spec-functions.js';
import type { CompileContext } from './compile-context.js';
import { positionInExpression } from './compile-expression.js';
import { walkAst } from './expression-references.js';
import { boundValueNames, isExtension, isKnownName } from './checks/function-table.js';
import type { ValidatedSpec } from './parse-specs.js';
import type { JsonPath } from './source-position.js';
import type { AstNode } from './transform-ast.js';

/** A name `$name` calls: JSONata reads anything else after `$` differently (`$my-fn` is `$my` minus `fn`). */
const CALLABLE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** What binds the functions to an expression: the expression itself when it names none. */
export type BindFunctions = (expression: CompiledExpression) => CompiledExpression;

/** `compile`: compiles the expression at a path and checks its references (compile-integration.ts). */
export function compileFunctions(
  ctx: CompileContext,
  validated: ValidatedSpec<'Integration'>,
  compile: (path: JsonPath) => CompiledExpression | undefined,
): BindFunctions {
  const { spec } = validated;
  const before = ctx.diagnostics.length;
  const sources = new Map<string, string>();
  for (const [name, source] of Object.entries(validated.value.functions ?? {})) {
    const path = ['functions', name];
    const problem = nameProblem(name);
    if (problem) ctx.errorAtKey(spec, ['functions'], name, problem.code, problem.message);
    const compiled = compile(path);
    const ast = compiled?.ast?.() as AstNode | undefined;
    // a partial application (`$substring(?, 0, 3)`) is a function too
    if (ast && ast.type !== 'lambda' && ast.type !== 'partial') {
      const start = source.length - source.trimStart().length;
      ctx.diagnostics.push({
        file: spec.file,
        ...positionInExpression({ spec, path }, start),
        severity: 'error',
        code: 'not-a-function',
        message:
          `\`functions.${name}\` is ${describeNode(ast)}, not a function, so \`$${name}(…)\` would fail on every ` +
          `event: write it as \`function($param, …) { … }\`, the parameters being what the callers pass`,
      });
    }
    sources.set(name, source);
  }
  // An error stops the integration from compiling: nothing will run, so nothing is bound.
  if (sources.size === 0 || ctx.diagnostics.slice(before).some((d) => d.severity === 'error')) return (e) => e;
  const block = ctx.timed('jsonata', () => compileFunctionBlock(ctx.options.engine, sources));
  return (expression) => (namesAny(expression, sources) ? withFunctions(expression, block) : expression);
}

function nameProblem(name: string): { code: 'invalid-format' | 'shadowed-builtin'; message: string } | undefined {
  if (!CALLABLE.test(name))
    return {
      code: 'invalid-format',
      message:
        `function name \`${name}\` cannot be called as \`$${name}\`: a name is letters, digits and underscores, ` +
        `not starting with a digit (\`${name.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(\d)/, '_$1')}\`)`,
    };
  if (!isKnownName(name)) return undefined;
  const what = isExtension(name)
    ? 'a Junction extension'
    : boundValueNames().includes(name)
      ? `a value Junction binds (${boundValueNames()
          .map((n) => `$${n}`)
          .join(', ')})`
      : 'a JSONata function';
  return {
    code: 'shadowed-builtin',
    message:
      `\`$${name}\` is ${what}: a function of that name would hide it in every expression of this integration; ` +
      `give the function a name of its own`,
  };
}

/** What an expression that is not a function is, as a message says it. */
function describeNode(ast: AstNode): string {
  switch (ast.type) {
    case 'string':
    case 'number':
    case 'value':
      return `the constant ${JSON.stringify(ast.value)}`;
    case 'path':
    case 'name':
      return 'a path (it reads fields)';
    case 'function':
      return "a function call (it gives the call's result)";
    case 'block':
      return 'a block (`( … )`)';
    default:
      return `an expression (${String(ast.type)})`;
  }
}

/** Whether the expression calls or reads one of the functions by name. */
function namesAny(expression: CompiledExpression, functions: ReadonlyMap<string, string>): boolean {
  let found = false;
  walkAst(expression.ast?.(), (node) => {
    if (node.type === 'variable' && functions.has(String(node.value))) found = true;
  });
  return found;
}
