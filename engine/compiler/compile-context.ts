/** What every compile stage shares: the connectors, the transform engine, and the diagnostics being collected. */
import type { ConnectorRegistry } from '../sdk/connector.js';
import type { CompiledExpression, TransformEngine } from '../transform/transform-engine.js';
import type { Diagnostic, DiagnosticCode } from './diagnostics.js';
import type { SecretPolicy } from './secret-ref.js';
import { keyPosition, valuePosition } from './source-position.js';
import type { JsonPath } from './source-position.js';
import type { SpecFile } from './spec-file.js';
import type { SpecTree } from './spec-tree.js';

export interface CompileOptions {
  connectors: ConnectorRegistry;
  engine: TransformEngine;
  /** Commit the tree was read from; `working-tree` for a directory on disk. */
  commit?: string;
  /** The engine's secret allowlist; when set, a reference outside it is a `secret-not-allowed` error. */
  secretPolicy?: SecretPolicy;
  /** The environment (`kind: Environment`) whose values replace the specs' own; none: the specs as written. */
  environment?: string;
}

/** Milliseconds spent per compile stage, for the validate benchmark. */
export interface StageTimes {
  parse: number;
  schema: number;
  jsonata: number;
  crossChecks: number;
}

export class CompileContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly times: StageTimes = { parse: 0, schema: 0, jsonata: 0, crossChecks: 0 };
  /** Every compiled expression of each spec with its path, for the expression checks (checks/). */
  readonly expressions = new Map<SpecFile, { path: JsonPath; expression: CompiledExpression }[]>();

  /** Runs `fn`, adding its duration to `stage`. */
  timed<T>(stage: keyof StageTimes, fn: () => T): T {
    const start = performance.now();
    try {
      return fn();
    } finally {
      this.times[stage] += performance.now() - start;
    }
  }

  constructor(
    readonly options: CompileOptions,
    readonly tree: SpecTree,
  ) {}

  recordExpression(spec: SpecFile, path: JsonPath, expression: CompiledExpression): void {
    const list = this.expressions.get(spec);
    if (list) list.push({ path, expression });
    else this.expressions.set(spec, [{ path, expression }]);
  }

  /** Reports a problem at the value at `path` in `spec`. */
  error(spec: SpecFile, path: JsonPath, code: DiagnosticCode, message: string): void {
    this.diagnostics.push({ file: spec.file, ...valuePosition(spec, path), severity: 'error', code, message });
  }

  /** Reports something allowed but risky at the value at `path` (it does not stop the set from compiling). */
  warn(spec: SpecFile, path: JsonPath, code: DiagnosticCode, message: string): void {
    this.diagnostics.push({ file: spec.file, ...valuePosition(spec, path), severity: 'warning', code, message });
  }

  /** Reports a problem at the key `key` of the mapping at `path`. */
  errorAtKey(spec: SpecFile, path: JsonPath, key: string, code: DiagnosticCode, message: string): void {
    this.diagnostics.push({ file: spec.file, ...keyPosition(spec, path, key), severity: 'error', code, message });
  }
}
