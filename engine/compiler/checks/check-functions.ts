/**
 * Function calls against the functions that exist: an unknown name (`$lowercas`, did you mean `$lowercase`?) and,
 * for library and extension functions, the arguments against the function's signature (`<s-nn?:s>`): too few, too
 * many, or of a type the signature refuses. Argument types are inferred (infer-type.ts); an argument of unknown
 * type is tried as every value it could be, so only a call that fails whatever the data is reported.
 */
import type { Signature } from '../../transform/compiled/signature.js';
import { closestMatch } from '../suggest.js';
import type { AstNode } from '../transform-ast.js';
import type { ExpressionCalls, FunctionCall } from './function-calls.js';
import { nodeStart } from './function-calls.js';
import type { ExpressionScope } from './expression-scopes.js';
import { functionNames, functionSignature, isExtension, isKnownName } from './function-table.js';
import { inferType, TYPE_NAMES } from './infer-type.js';
import type { InferContext, Inferred, TypeSymbol } from './infer-type.js';
import type { ExpressionReport } from './expression-report.js';

const SAMPLES: Record<TypeSymbol, unknown> = {
  s: '',
  n: 0,
  b: false,
  l: null,
  a: [],
  o: {},
  f: { _jsonata_function: true },
};
/** Beyond this many combinations of possible argument types, the call is not checked. */
const MAX_COMBINATIONS = 64;

/**
 * `scope`: where the expression sees fewer bindings than in an event (expression-scopes.ts); `functions`: the
 * integration's `functions`, each with the extensions it calls (function-needs.ts).
 */
export function checkFunctions(
  expression: ExpressionCalls,
  source: string,
  report: ExpressionReport,
  scope?: ExpressionScope,
  functions: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
): void {
  const { calls, bound } = expression;
  for (const call of calls) {
    if (bound.has(call.name)) continue;
    const needs = functions.get(call.name);
    if (needs) {
      const [missing] = scope ? needs : [];
      if (missing)
        report(
          call.start,
          'error',
          'unknown-function',
          `\`$${call.name}\` needs \`$${missing}\`, which is not available in ${scope!.where}, which is ${scope!.sees}: the call would fail at run time`,
        );
      continue;
    }
    if (scope && isExtension(call.name)) {
      report(
        call.start,
        'error',
        'unknown-function',
        `\`$${call.name}\` is not available in ${scope.where}, which is ${scope.sees}: the call would fail at run time`,
      );
      continue;
    }
    if (!isKnownName(call.name)) {
      const hint = closestMatch(call.name, [...functionNames(), ...functions.keys()]);
      report(
        call.start,
        'error',
        'unknown-function',
        `\`$${call.name}\` is not a function: neither a JSONata function, a Junction extension ($lookup, $xref, $localDate, $zoneOffset), one of the integration's \`functions\` nor one this expression binds with :=${hint ? `; did you mean \`$${hint}\`?` : ''}`,
      );
      continue;
    }
    const signature = functionSignature(call.name);
    if (signature && !call.partial) checkArguments(call, signature, expression, source, report);
  }
}

function checkArguments(
  call: FunctionCall,
  signature: Signature,
  context: InferContext,
  source: string,
  report: ExpressionReport,
): void {
  const types = call.args.map((a) => inferType(a, context));
  const combinations = samples(types);
  if (!combinations) return;
  let failure: { code: string; index: number } | undefined;
  for (const args of combinations) {
    try {
      signature.validate(args, undefined);
      return;
    } catch (error) {
      const e = error as { code?: string; index?: number };
      failure ??= { code: String(e.code), index: Number(e.index ?? 1) };
    }
  }
  if (!failure) return;
  const { index } = failure;
  const arg: AstNode | undefined = call.args[index - 1];
  const name = `\`$${call.name}\``;
  const wants = `(signature ${signature.definition})`;
  let problem: string;
  if (!arg) problem = `${name} needs argument ${index}, which the call does not pass ${wants}`;
  else if (index > parameterCount(signature.definition)) {
    const most = parameterCount(signature.definition);
    problem = `${name} takes ${most} argument${most === 1 ? '' : 's'} at most; argument ${index} is one too many ${wants}`;
  } else if (failure.code === 'T0412')
    problem = `argument ${index} of ${name} is an array with elements of a type the function refuses ${wants}`;
  else {
    const type = [...(types[index - 1].symbols ?? [])].map((s) => TYPE_NAMES[s]).join(' or ');
    problem = `argument ${index} of ${name} is ${type}, which the function does not take there ${wants}`;
  }
  report(arg ? nodeStart(arg, source) : call.start, 'error', 'invalid-arguments', problem);
}

/** How many arguments a signature takes at most (`<s-nn?:s>`: 3; a `+` parameter: any number). */
function parameterCount(definition: string): number {
  let count = 0;
  for (let i = 1, depth = 0; i < definition.length && definition[i] !== ':'; i++) {
    const c = definition[i];
    if (c === '<' || c === '(') depth++;
    else if (c === '>' || c === ')') depth--;
    else if (c === '+') return Infinity;
    if (depth === 0 && /[a-z]/.test(c)) count++;
    if (depth === 1 && c === '(') count++;
  }
  return count;
}

/** Every combination of sample values the arguments could be, or undefined when there are too many. */
function samples(types: Inferred[]): unknown[][] | undefined {
  let out: unknown[][] = [[]];
  for (const type of types) {
    const values = type.symbols ? [...type.symbols].map((s) => sample(s, type)) : [undefined, SAMPLES.f];
    out = out.flatMap((args) => values.map((v) => [...args, v]));
    if (out.length > MAX_COMBINATIONS) return undefined;
  }
  return out;
}

/** An array built by a constructor carries one sample per element whose type is certain. */
function sample(symbol: TypeSymbol, type: Inferred): unknown {
  if (symbol !== 'a' || !type.elements) return SAMPLES[symbol];
  return type.elements.flatMap((e) => (e.symbols?.size === 1 ? [SAMPLES[[...e.symbols][0]]] : []));
}
