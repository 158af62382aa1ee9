/**
 * What a spec-test file refers to, checked like the specs themselves: the step ids of recorded responses
 * (`<step>`, `<step>.find`, `<step>.abandon`, or `lookup.<name>` of a resolved lookup), of expected requests and of
 * `outcome_unknown` (`<step>` or `<step>.<index>`), the `event_file` (it must exist in the tree and be JSON),
 * overridden lookups, and the connections named by `echo` and `created`. A typo would otherwise make a case test
 * nothing, or fail with no line number.
 */
import type { CompileContext } from '../compile-context.js';
import type { TestSpecFile } from '../compile-spec-set.js';
import type { DiagnosticCode } from '../diagnostics.js';
import type { ValidatedSpec } from '../parse-specs.js';
import type { JsonPath } from '../source-position.js';
import { dataLimit, relativeTreePath, tooLargeData } from '../spec-tree.js';
import { closestMatch } from '../suggest.js';

interface TestScope {
  integrations: readonly ValidatedSpec<'Integration'>[];
  connections: ReadonlySet<string>;
  lookups: ReadonlySet<string>;
  /** Lookups resolved through a connection: their answers are recorded as `lookup.<name>`. */
  resolvedLookups?: ReadonlySet<string>;
}

export function checkTestReferences(ctx: CompileContext, tests: readonly TestSpecFile[], scope: TestScope): void {
  for (const test of tests) {
    const integration = scope.integrations.find((i) => i.value.name === test.integration)?.value;
    if (!integration) continue;
    const spec = test.validated.spec;
    const stepIds = integration.steps.map((s) => s.id);
    const withFind = integration.steps.filter((s) => s.find).map((s) => s.id);
    const withAbandon = integration.steps.filter((s) => s.abandon).map((s) => s.id);
    const unknown = (what: string, name: string, known: readonly string[]) => {
      const hint = closestMatch(name, known);
      const list = known.map((k) => `\`${k}\``).join(', ') || 'none';
      return `${what} ${JSON.stringify(name)} does not exist; ${hint ? `did you mean \`${hint}\`?` : `there are: ${list}`}`;
    };
    const atKey = (path: JsonPath, key: string, message: string) =>
      ctx.errorAtKey(spec, path, key, 'unknown-test-reference', message);
    const at = (path: JsonPath, message: string) => ctx.error(spec, path, 'unknown-test-reference', message);
    const stepOf = (reference: string, suffix: RegExp) => reference.replace(suffix, '');
    test.value.cases.forEach((c, i) => {
      const base: JsonPath = ['cases', i];
      // responses and expected requests name a step, `<step>.find` for the look-up of a step's find, or
      // `<step>.abandon` for the call that drops the entry a restart leaves behind
      const stepReference = (reference: string, report: (message: string) => void) => {
        if (reference.startsWith('lookup.') && scope.resolvedLookups?.has(reference.slice('lookup.'.length))) return;
        const step = stepOf(reference, /\.(find|abandon)$/);
        const suffix = reference.slice(step.length + 1) as 'find' | 'abandon' | '';
        if (!stepIds.includes(step)) report(unknown(`${test.integration} step`, step, stepIds));
        else if (suffix && !(suffix === 'find' ? withFind : withAbandon).includes(step))
          report(`step \`${step}\` has no \`${suffix}\`, so there is no \`${reference}\``);
      };
      for (const key of Object.keys(c.responses ?? {}))
        stepReference(key, (m) => atKey([...base, 'responses'], key, `responses: ${m}`));
      (c.expect.requests ?? []).forEach((r, j) =>
        stepReference(r.step, (m) => at([...base, 'expect', 'requests', j, 'step'], `expected request: ${m}`)),
      );
      (c.outcome_unknown ?? []).forEach((ref, j) => {
        const step = stepOf(ref, /\.[0-9]+$/);
        if (!stepIds.includes(step))
          at([...base, 'outcome_unknown', j], unknown(`outcome_unknown: ${test.integration} step`, step, stepIds));
      });
      for (const name of Object.keys(c.lookups ?? {}))
        if (!scope.lookups.has(name)) atKey([...base, 'lookups'], name, unknown('lookup', name, [...scope.lookups]));
      for (const key of Object.keys((c.echo as Record<string, unknown> | undefined) ?? {})) {
        const connection = key.split('/')[0];
        if (!scope.connections.has(connection))
          atKey([...base, 'echo'], key, unknown('echo: connection', connection, [...scope.connections]));
      }
      (c.created ?? []).forEach((ref, j) => {
        const connection = ref.split('/')[0];
        if (!scope.connections.has(connection))
          at([...base, 'created', j], unknown('created: connection', connection, [...scope.connections]));
      });
      if (c.event_file !== undefined) {
        const problem = eventFileProblem(ctx, test.treePath, c.event_file);
        if (problem) ctx.error(spec, [...base, 'event_file'], problem.code, problem.message);
      }
    });
  }
}

/** The reason an event file over the data limit is not read: validate's diagnostic, and why its case cannot run. */
export const eventFileTooLarge = (file: string, size: number, limit: number): string =>
  tooLargeData(`event_file ${JSON.stringify(file)}`, size, 'keep only the fields the integration reads', limit);

/** Why `file` (relative to the test file at `testPath`) is not a readable JSON event, or undefined. */
function eventFileProblem(
  ctx: CompileContext,
  testPath: string,
  file: string,
): { code: DiagnosticCode; message: string } | undefined {
  const path = relativeTreePath(testPath, file);
  const found = ctx.tree.files.find((f) => f.path === path);
  const reference = (message: string) => ({ code: 'unknown-test-reference' as const, message });
  if (!found) {
    const hint = closestMatch(
      path,
      ctx.tree.files.map((f) => f.path),
    );
    return reference(
      `event_file ${JSON.stringify(file)} does not exist (looked for ${path})${hint ? `; did you mean ${JSON.stringify(hint)}?` : ''}`,
    );
  }
  if (found.oversize !== undefined)
    return { code: 'file-too-large', message: eventFileTooLarge(file, found.oversize, dataLimit(ctx.tree)) };
  try {
    JSON.parse(found.bytes.toString('utf8'));
    return undefined;
  } catch (error) {
    return reference(`event_file ${JSON.stringify(file)} is not valid JSON: ${(error as Error).message}`);
  }
}
