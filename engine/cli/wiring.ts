/**
 * The one composition point: which connectors exist, which JSONata engine compiles the specs, how a spec tree or
 * directory becomes a CompiledSpecSet, and how a set gets its StepInvoker (connectors over the real HTTP stack).
 * Every command, the demo and GitOps take these from here, so each dependency is an import the type checker sees.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createConnectorRegistry } from '../../connectors/index.js';
import { compileSpecTree } from '../compiler/compile-spec-set.js';
import type { CompileResult } from '../compiler/compile-spec-set.js';
import type { CompiledSpecSet } from '../compiler/compiled-spec.js';
import type { Diagnostic } from '../compiler/diagnostics.js';
import { isSpecFile, readSpecTree } from '../compiler/spec-tree.js';
import type { SpecTree } from '../compiler/spec-tree.js';
import { createStepInvoker } from '../execute/step-invoker.js';
import { createStreamOpener } from '../http/stream-opener.js';
import type { StreamOpenerFactory } from '../http/stream-opener.js';
import type { InvokerFactory } from '../runtime/spec-registry.js';
import type { ConnectorRegistry } from '../sdk/connector.js';
import { transformEngine } from '../transform/select-engine.js';
import type { TransformEngineName } from '../transform/select-engine.js';
import type { TransformEngine } from '../transform/transform-engine.js';
import { UsageError } from './usage-error.js';
import { SpecsDoNotCompileError } from './specs-do-not-compile-error.js';
import { engineSecurity } from './security-options.js';
import { maxDataBytes } from './data-limit.js';
import type { ConnectionSecurity } from '../http/connection-client.js';

export interface Wiring {
  readonly connectors: ConnectorRegistry;
  readonly transform: TransformEngine;
  /**
   * Compiles a spec tree; `commit` labels the set (GitOps passes the Git commit). `environment` (default: the
   * wiring's) applies that Environment spec's values.
   */
  compileTree(tree: SpecTree, commit?: string, environment?: string): CompileResult;
  /** Builds the StepInvoker of a compiled set over the real HTTP stack. */
  readonly invokerFactory: InvokerFactory;
  /** Opens the connectors' stream sources of a compiled set (Salesforce Change Data Capture). */
  readonly streamFactory: StreamOpenerFactory;
  /** The secret allowlist (checked when specs compile) and the private hosts connections may reach. */
  readonly security: ConnectionSecurity;
  /** The largest data file a spec tree is read with (`JUNCTION_MAX_DATA_BYTES`): engine/cli/data-limit.ts. */
  readonly maxDataBytes: number;
}

interface WiringOptions {
  /** @default 'junction' (our own JSONata engine); 'reference' is jsonata-js, for comparisons. */
  transformEngine?: TransformEngineName;
  /** Environment for secret references. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** @default from the environment (JUNCTION_ALLOWED_SECRETS...): engine/cli/security-options.ts */
  security?: ConnectionSecurity;
  /** The environment every compile applies (`junction run --env`); none: the specs' own values. */
  environment?: string;
}

export function createWiring(options: WiringOptions = {}): Wiring {
  const connectors = createConnectorRegistry();
  const transform = transformEngine(options.transformEngine);
  const env = options.env ?? process.env;
  const security = options.security ?? engineSecurity(env);
  return {
    connectors,
    transform,
    security,
    maxDataBytes: maxDataBytes(env),
    compileTree: (tree, commit, environment = options.environment) =>
      compileSpecTree(tree, {
        connectors,
        engine: transform,
        secretPolicy: security.secretPolicy,
        ...(commit ? { commit } : {}),
        ...(environment ? { environment } : {}),
      }),
    invokerFactory: (specSet) => createStepInvoker({ specSet, connectors, env, security }),
    streamFactory: (specSet) => createStreamOpener({ specSet, connectors, env, security }),
  };
}

/**
 * Reads and compiles a spec directory; a missing directory is a usage error, and so is one without any spec file
 * when `requireSpecs` (validate and test, which would otherwise report a clean pass of nothing).
 */
export async function compileDirectory(
  wiring: Wiring,
  dir: string,
  { requireSpecs = false } = {},
): Promise<{ result: CompileResult; tree: SpecTree }> {
  const info = await stat(dir).catch(() => undefined);
  if (info?.isFile())
    throw new UsageError(
      `${JSON.stringify(dir)} is a file; pass the spec directory that holds it (its specs are checked together)`,
    );
  if (!info?.isDirectory())
    throw new UsageError(
      `spec directory ${JSON.stringify(dir)} (${resolve(dir)}) does not exist or is not a directory: pass the ` +
        'directory that holds the spec YAML files (`junction init <dir>` creates a spec repository)',
    );
  const tree = await readSpecTree(dir, undefined, wiring.maxDataBytes);
  if (requireSpecs && !tree.files.some((f) => isSpecFile(f.path)))
    throw new UsageError(
      `spec directory ${JSON.stringify(dir)} holds no spec file (*.yaml or *.yml; hidden folders and node_modules are not read): pass the directory of your specs`,
    );
  return { result: wiring.compileTree(tree), tree };
}

/** The compiled set of a directory, or an error listing every diagnostic that stops it from compiling. */
export async function compiledSpecSet(wiring: Wiring, dir: string): Promise<CompiledSpecSet> {
  return (await compiledSpecSetWithWarnings(wiring, dir)).specSet;
}

/** compiledSpecSet, with the warnings of the specs (file:line:col) for a command that shows them. */
export async function compiledSpecSetWithWarnings(
  wiring: Wiring,
  dir: string,
): Promise<{ specSet: CompiledSpecSet; warnings: Diagnostic[] }> {
  const { result } = await compileDirectory(wiring, dir);
  if (result.specSet)
    return { specSet: result.specSet, warnings: result.diagnostics.filter((d) => d.severity === 'warning') };
  throw compileFailure(result, dir);
}

/**
 * The errors of specs that do not compile, at line:col, and the variables to allow when the allowlist refused any;
 * `heading` says what they stop (default: the whole set).
 */
export function compileFailure(
  result: CompileResult,
  dir: string,
  heading = `specs in ${dir} do not compile`,
): SpecsDoNotCompileError {
  const errors = result.diagnostics
    .filter((d) => d.severity === 'error')
    .map((d) => `${d.file}:${d.line}:${d.col}  ${d.code}  ${d.message}`);
  const refused = [
    ...new Set(
      result.diagnostics.flatMap((d) =>
        d.code === 'secret-not-allowed' ? [/^\$\{env:(\w+)\}/.exec(d.message)?.[1] ?? ''] : [],
      ),
    ),
  ].filter(Boolean);
  const hint = refused.length
    ? `\nthe engine lets specs read only the variables it is told to; if these specs should read them, start it with ` +
      `JUNCTION_ALLOWED_SECRETS=${refused.join(',')} (or --allow-secret NAME, PREFIX* for a prefix)`
    : '';
  return new SpecsDoNotCompileError(`${heading}:\n${errors.join('\n')}${hint}`);
}
