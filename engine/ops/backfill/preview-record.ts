/**
 * `junction backfill --dry-run`: what one listed record would write, through the dry run (same executor, connectors
 * and HTTP stack as the runtime; only the transport is a fixture). Targets are not called: every step is answered
 * `200 {"id": "<step id>"}`, so ids a target would return show as placeholders, and a connector that cannot read
 * such an answer ends the preview at that step. A step's look-up (`find`) finds nothing, so the create it guards
 * shows. Cross-references come from the cluster when it is reachable.
 */
import type { CompiledIntegration, CompiledSpecSet } from '../../compiler/compiled-spec.js';
import { dryRun } from '../../plan/dry-run.js';
import type { DryRunResult } from '../../plan/dry-run.js';
import type { RecordedResponses } from '../../plan/fixture-transport.js';
import type { ConnectorRegistry } from '../../sdk/connector.js';

export async function previewRecord(
  specSet: CompiledSpecSet,
  connectors: ConnectorRegistry,
  integration: CompiledIntegration,
  record: unknown,
  xref: Record<string, Record<string, string>>,
): Promise<DryRunResult> {
  const responses: RecordedResponses = Object.fromEntries(
    integration.steps.flatMap((s) => [
      [s.id, { status: 200, body: { id: `<${s.id} id>`, success: true } }],
      [`${s.id}.find`, { status: 200, body: {} }],
    ]),
  );
  return dryRun(specSet, connectors, { integration: integration.name, event: record, responses, xref });
}

/**
 * The cross-reference maps an integration reads: its `requires` and every `$xref("<map>", …)` in its expressions
 * (its `read` bodies included).
 */
export function xrefMapsRead(integration: CompiledIntegration): string[] {
  const maps = new Set<string>();
  for (const r of [...(integration.requires ?? []), ...integration.steps.flatMap((s) => s.requires ?? [])])
    maps.add(r.map);
  const reads = [integration.read?.get?.body, integration.read?.list?.body];
  const sources = [integration.when, ...reads, ...integration.steps.flatMap((s) => [s.when, s.forEach, s.body])];
  for (const expression of sources)
    for (const m of (expression?.source ?? '').matchAll(/\$xref\(\s*["']([^"']+)["']/g)) maps.add(m[1]);
  return [...maps];
}
