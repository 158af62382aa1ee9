/**
 * `junction record`'s check that a live run ended in nothing the runtime would refuse: what the runtime refuses or
 * stops is no test case to keep, so the command says where in the spec to fix it and records nothing.
 */
import type { CompiledIntegration } from '../compiler/compiled-spec.js';
import { parseSpecText } from '../compiler/load-yaml.js';
import { valuePosition } from '../compiler/source-position.js';
import { displayPath } from '../compiler/spec-tree.js';
import type { SpecTree } from '../compiler/spec-tree.js';
import type { ExecutionResult } from '../execute/execution-types.js';
import { BODY_REFUSALS, IDENTITY_REFUSALS, RUNTIME_GUARDS } from './runtime-identity.js';

/**
 * Why the runtime would refuse the event or stop its transform, at the spec line to fix: the key check (ingest
 * refuses the event, a source dead-letters it unsent) or the transform limits (the event is dead-lettered when a
 * step's expression overruns them). Undefined for any other outcome.
 */
export function runtimeRefusal(
  result: ExecutionResult,
  integration: CompiledIntegration,
  tree: SpecTree,
): string | undefined {
  const failure = result.failure;
  if (!failure) return undefined;
  if ((BODY_REFUSALS as readonly string[]).includes(failure.code))
    return `the event: ${failure.message}. Nothing was sent; fix the event and record again`;
  if ((IDENTITY_REFUSALS as readonly string[]).includes(failure.code))
    return (
      `${specSite(tree, integration, ['key'])}: ${failure.message}. Nothing was sent; fix the key expression (or the ` +
      'event) and record again'
    );
  if (failure.code !== 'transform-guard' || failure.step === undefined) return undefined;
  const stepIndex = integration.steps.findIndex((s) => s.id === failure.step);
  const element = failure.index === undefined ? '' : `[${failure.index}]`;
  const sent = result.requests.length;
  const { timeoutMs, maxDepth, maxOutputLength } = RUNTIME_GUARDS;
  return (
    `${specSite(tree, integration, ['steps', stepIndex])}: step ${failure.step}${element} hit the runtime's ` +
    `transform limits (${failure.message}), so the runtime dead-letters this event (transform-guard)` +
    (sent > 0 ? ` after the ${sent} request${sent === 1 ? '' : 's'} before it, which this run sent` : '') +
    `. The limits: ${timeoutMs} ms per evaluation, call depth ${maxDepth}, ` +
    `${maxOutputLength.toLocaleString('en')} characters of output; fix the step's expressions and record again`
  );
}

/** `file:line:col` of the value at `path` in the integration's spec file, or the file alone when it cannot be read. */
function specSite(tree: SpecTree, integration: CompiledIntegration, path: (string | number)[]): string {
  const file = tree.files.find((f) => displayPath(tree, f.path) === integration.file);
  const loaded = file && parseSpecText(file.bytes, file.path, integration.file);
  if (!loaded?.ok) return integration.file;
  const { line, col } = valuePosition(loaded.spec, path);
  return `${integration.file}:${line}:${col}`;
}
