/**
 * Creates that never duplicate, as an invariant of the seed specs: no vendor honours Idempotency-Key, so every step
 * whose operation creates a record must be able to tell, when its answer was lost, that the record is there. It
 * declares a `find` (the record looked up by its business reference), restarts from an entry it can abandon
 * (`restart_from`), or has an `on_error` rule that treats the vendor's "already exists" on that step as done (keyed
 * M3 adds: `…04`). The seed flows under faults (test/e2e) show each guard working; this keeps a new create step from
 * shipping without one.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { compiledSpecSet, createWiring } from '../../engine/cli/wiring.js';
import type { CompiledIntegration, CompiledStep } from '../../engine/compiler/compiled-spec.js';
import { continuesAfter, resolveFailureAction } from '../../engine/execute/resolve-failure.js';

const SETS = ['bng-m3', 'magento-ff', 'service-app-salesforce'];
const SPECS = fileURLToPath(new URL('../../specs', import.meta.url));

/** What guards a create step against a second create after a lost answer, or undefined. */
async function guardOf(integration: CompiledIntegration, step: CompiledStep): Promise<string | undefined> {
  if (step.find) return `find ${step.find.operation}`;
  if (step.restartFrom) return `restart_from ${step.restartFrom}`;
  // The repeat's answer: M3's generic "already exists" (XRE0104; a rule matches the id's …04 suffix).
  const repeat = {
    step: step.id,
    code: 'duplicate',
    vendorCode: 'XRE0104',
    message: 'Record already exists',
    action: 'dead_letter' as const,
    status: 200,
  };
  if (await continuesAfter(integration, repeat)) return 'on_error continue (already exists)';
  if ((await resolveFailureAction(integration, repeat)) === 'skip') return 'on_error skip (already exists)';
  return undefined;
}

describe('seed specs', () => {
  it.each(SETS)('%s: every create step is guarded against a second create', async (set) => {
    const specSet = await compiledSpecSet(createWiring({ env: {} }), `${SPECS}/${set}`);
    const creates: [string, string | undefined][] = [];
    for (const integration of specSet.integrations.values())
      for (const step of integration.steps.filter((s) => s.kind === 'create'))
        creates.push([`${integration.name}/${step.id} ${step.operation}`, await guardOf(integration, step)]);
    expect(creates.filter(([, guard]) => guard === undefined).map(([name]) => name)).toEqual([]);
    // The sets really have creates to guard (the service app's writes are upserts by external id).
    if (set !== 'service-app-salesforce') expect(creates.length).toBeGreaterThan(3);
  });
});
