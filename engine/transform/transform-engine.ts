/**
 * The contract between Junction and a JSONata implementation. Two engines implement it: Junction's own compiled
 * engine (the default) and jsonata-js (`--transform-engine reference`), used for comparison.
 */

/** Limits that stop a runaway expression. Every evaluation runs with them. */
export interface TransformGuards {
  /** Wall-clock budget of one evaluation, in ms. @default 1000 */
  timeoutMs?: number;
  /** Maximum nesting of function calls, as call-site depth (about 3 per level of simple recursion). @default 100000 */
  maxDepth?: number;
  /** Maximum length of any produced string or array, and of the serialised output. @default 10_000_000 */
  maxOutputLength?: number;
}

/** A compiled expression. Compile once at spec load; evaluate per message. */
export interface CompiledExpression {
  readonly source: string;
  /**
   * Evaluates against `input` with extra `$name` bindings (values or JS functions). Our engine returns a value
   * synchronously; the reference engine returns a Promise. Callers that accept both `await` the result.
   */
  evaluate(input: unknown, bindings?: Record<string, unknown>, guards?: TransformGuards): unknown;
  /** The parsed expression in jsonata-js's `ast()` shape, for static checks (references, fields read and written). */
  ast?(): unknown;
}

export interface TransformEngine {
  readonly name: 'junction' | 'reference';
  /** Throws TransformError (with `position`) on a syntax error. */
  compile(source: string): CompiledExpression;
}

/**
 * An error raised by compiling or evaluating an expression. `code` is the JSONata error code (S0201, T2001, D3001...,
 * U1001-U1004 for guard overruns, or U1005 past a limit of the engine); `position` is the 0-based character offset
 * just past the offending token in the expression source, as jsonata-js reports it.
 */
export class TransformError extends Error {
  override name = 'TransformError';
  constructor(
    message: string,
    readonly code: string,
    readonly position?: number,
    readonly token?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
