/**
 * The zone names `$localDate` and `$zoneOffset` are given as constants: a literal (`"America/Los_Angeles"`), or a
 * `$lookup` of a literal table and key (`$lookup("magento-store-features", "timezone")`), directly or through a
 * variable assigned once. A name Intl does not know fails every call at run time, so it is an error here, at the
 * literal or at the lookup key whose entry holds it.
 */
import type { CompiledLookup } from '../compiled-spec.js';
import { closestMatch } from '../suggest.js';
import { isNode } from '../transform-ast.js';
import type { AstNode } from '../transform-ast.js';
import { isTimeZone, timeZoneNames, unknownZoneMessage } from '../../transform/zoned-time.js';
import type { ExpressionCalls } from './function-calls.js';
import { nodeStart } from './function-calls.js';
import type { ExpressionReport } from './expression-report.js';

const ZONE_FUNCTIONS = new Set(['localDate', 'zoneOffset']);

export function checkTimeZones(
  { calls, bound, assigned }: ExpressionCalls,
  source: string,
  lookups: ReadonlyMap<string, CompiledLookup>,
  report: ExpressionReport,
): void {
  for (const call of calls) {
    if (bound.has(call.name) || !ZONE_FUNCTIONS.has(call.name)) continue;
    let zone: unknown = call.args[1];
    if (isNode(zone) && zone.type === 'variable' && typeof zone.value === 'string') zone = assigned.get(zone.value);
    const constant = constantZone(zone, lookups);
    if (!constant || isTimeZone(constant.name)) continue;
    const message = unknownZoneMessage(call.name, constant.name, closestMatch(constant.name, timeZoneNames()));
    report(
      nodeStart(constant.at, source),
      'error',
      'unknown-time-zone',
      constant.via ? `${message} (the entry ${JSON.stringify(constant.via)} of the lookup)` : message,
    );
  }
}

/** The zone name a node always gives, and the node to point at: the literal, or the key of a constant lookup. */
function constantZone(
  node: unknown,
  lookups: ReadonlyMap<string, CompiledLookup>,
): { name: string; at: AstNode; via?: string } | undefined {
  if (!isNode(node)) return undefined;
  if (node.type === 'string' && typeof node.value === 'string') return { name: node.value, at: node };
  if (node.type !== 'function' || !isNode(node.procedure) || node.procedure.value !== 'lookup') return undefined;
  const [table, key] = ((node.arguments as unknown[]) ?? []).filter(isNode);
  if (table?.type !== 'string' || key?.type !== 'string') return undefined;
  const value = lookups.get(String(table.value))?.entries.get(String(key.value));
  return typeof value === 'string' ? { name: value, at: key, via: String(key.value) } : undefined;
}
