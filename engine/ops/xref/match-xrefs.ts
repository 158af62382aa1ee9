/**
 * `junction xref match <map>` as data: find the step that writes the map and says how to match (`xref.match`), list
 * the source's records through its integration's `read.list` and the target's through `xref.match.target`, key both
 * sides, pair them (pair-by-key.ts) and write the pairs as cross-references (an existing different link is a
 * conflict, as for an import).
 */
import type { CompiledIntegration, CompiledSpecSet, CompiledStep } from '../../compiler/compiled-spec.js';
import type { StepInvoker } from '../../execute/execution-types.js';
import { sourcePages } from '../../execute/read-source.js';
import type { ReadBindings } from '../../execute/read-source.js';
import type { XrefStore, XrefWriteReport } from '../../runtime/stores/xref-store.js';
import type { CompiledExpression, TransformGuards } from '../../transform/transform-engine.js';
import { pairByKey } from './pair-by-key.js';
import type { KeyedRecord, Pairing } from './pair-by-key.js';

export interface MatchReport extends Pairing {
  map: string;
  integration: string;
  sourceListed: number;
  targetListed: number;
  write: XrefWriteReport;
}

/** The integration and step that write `map` with an `xref.match`, or why there is none. */
export function findMatcher(
  specSet: CompiledSpecSet,
  map: string,
): { integration: CompiledIntegration; step: CompiledStep } | { error: string } {
  const writers = [...specSet.integrations.values()].flatMap((integration) =>
    integration.steps.filter((s) => s.saveXref?.map === map).map((step) => ({ integration, step })),
  );
  if (writers.length === 0) return { error: `no step writes the cross-reference map ${JSON.stringify(map)}` };
  const matchers = writers.filter((w) => w.step.saveXref?.match);
  const names = (list: typeof writers) => list.map((w) => `${w.integration.name} step ${w.step.id}`).join(', ');
  if (matchers.length === 0)
    return {
      error: `${names(writers)} writes ${map} but says nothing about matching: add xref.match (a source_key and a target listing with its key and id)`,
    };
  if (matchers.length > 1) return { error: `${names(matchers)} all have an xref.match for ${map}: keep one` };
  if (!matchers[0].integration.read?.list)
    return { error: `${matchers[0].integration.name} has no read.list: add one to say how to list its records` };
  return matchers[0];
}

export async function matchXrefs(options: {
  integration: CompiledIntegration;
  step: CompiledStep;
  invoke: StepInvoker;
  /** What `$lookup` and `$xref` read in the listings' bodies. */
  bindings: ReadBindings;
  store: XrefStore;
  overwrite?: boolean;
  dryRun?: boolean;
  guards?: TransformGuards;
}): Promise<MatchReport> {
  const { integration, step, invoke, bindings, guards } = options;
  const xref = step.saveXref!;
  const match = xref.match!;
  const list = integration.read!.list!;
  const sources: KeyedRecord[] = [];
  for await (const page of sourcePages(integration, list, list.initialCursor ?? '', invoke, bindings, guards))
    for (const { record } of page) {
      const id = await recordId(xref.sourceId, record, guards, `xref.source_id of ${integration.name}`);
      sources.push({ id, key: await naturalKey(match.sourceKey, record, guards, `xref.match.source_key (${id})`) });
    }
  const targets: KeyedRecord[] = [];
  for await (const page of sourcePages(
    integration,
    match.target,
    match.target.initialCursor ?? '',
    invoke,
    bindings,
    guards,
  ))
    for (const { record } of page) {
      const id = await recordId(match.targetId, record, guards, 'xref.match.target.id');
      targets.push({ id, key: await naturalKey(match.targetKey, record, guards, `xref.match.target.key (${id})`) });
    }
  const pairing = pairByKey(xref.map, sources, targets, await options.store.list(xref.map));
  const write = await options.store.write(
    pairing.pairs.map(({ map, sourceId, targetId }) => ({ map, sourceId, targetId })),
    { overwrite: options.overwrite, dryRun: options.dryRun },
  );
  return {
    map: xref.map,
    integration: integration.name,
    sourceListed: sources.length,
    targetListed: targets.length,
    ...pairing,
    write,
  };
}

/** A natural key as text; nothing, null or an empty (blank) string means the record has none. */
async function naturalKey(
  expression: CompiledExpression,
  record: unknown,
  guards: TransformGuards | undefined,
  what: string,
): Promise<string | undefined> {
  const value = await evaluate(expression, record, guards, what);
  if (value === undefined || value === null || typeof value === 'object') return undefined;
  const key = String(value);
  return key.trim() === '' ? undefined : key;
}

/** An id; a record without one stops the match, since it could be neither linked nor reported. */
async function recordId(
  expression: CompiledExpression,
  record: unknown,
  guards: TransformGuards | undefined,
  what: string,
): Promise<string> {
  const value = await evaluate(expression, record, guards, what);
  if (value === undefined || value === null || value === '' || typeof value === 'object')
    throw new Error(
      `${what} (${expression.source}) gives no id for the record ${JSON.stringify(record).slice(0, 200)}`,
    );
  return String(value);
}

/** Evaluates over one record (also bound as `$event`), naming the expression and record when it fails. */
async function evaluate(
  expression: CompiledExpression,
  record: unknown,
  guards: TransformGuards | undefined,
  what: string,
): Promise<unknown> {
  try {
    return await Promise.resolve(expression.evaluate(record, { event: record }, guards));
  } catch (error) {
    throw new Error(`${what}: ${expression.source} failed: ${(error as Error).message}`);
  }
}
