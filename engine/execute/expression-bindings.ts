/**
 * The `$` bindings every spec expression sees: $event, $steps, $index, $lookup(name, key), $xref(map, id), and the
 * time-zone functions $localDate(timestamp, zone) and $zoneOffset(timestamp, zone) (transform/zoned-time.ts).
 */
import type { CompiledLookup } from '../compiler/compiled-spec.js';
import type { ExecutionState } from './execution-types.js';
import type { LookupResolver } from './lookup-resolver.js';
import { localDate, zoneOffset } from '../transform/zoned-time.js';
import { fromMillis } from '../transform/compiled/functions/datetime.js';
import { shuffle } from '../transform/compiled/functions/arrays.js';

export interface BindingScope {
  event: unknown;
  steps: Record<string, unknown>;
  lookups: ReadonlyMap<string, CompiledLookup>;
  xref: ExecutionState['xref'];
  /** Reads the lookups resolved through a connection (`resolve`); without it they give no value. */
  resolver?: LookupResolver;
  /** The instant `$now()` and `$millis()` give (epoch ms); unset: each evaluation's own clock, as JSONata has it. */
  now?: number;
  /**
   * Where `$random()` and `$shuffle()` draw their numbers (a dry run's seeded generator, so a plan shows the same
   * values on every run); unset: Math.random, as JSONata has it.
   */
  random?: () => number;
  /** The bindings without extras, once an expression of the scope was evaluated with them (evaluate-expression.ts). */
  bindings?: Record<string, unknown>;
}

export function expressionBindings(scope: BindingScope, extra?: Record<string, unknown>): Record<string, unknown> {
  const { now, random } = scope;
  if (now === undefined && random === undefined) return scopeBindings(scope, extra);
  return {
    ...scopeBindings(scope),
    ...(now === undefined
      ? {}
      : { now: (picture?: string, zone?: string) => fromMillis(now, picture, zone), millis: () => now }),
    ...(random === undefined
      ? {}
      : {
          random,
          shuffle: (list: unknown) => shuffle(list === undefined || Array.isArray(list) ? list : [list], random),
        }),
    ...extra,
  };
}

function scopeBindings(scope: BindingScope, extra?: Record<string, unknown>): Record<string, unknown> {
  return {
    event: scope.event,
    steps: scope.steps,
    lookup: (name: string, key: unknown) => {
      const table = scope.lookups.get(name);
      if (!table || key === undefined || key === null) return table?.defaultValue;
      if (table.resolve && scope.resolver) return scope.resolver.read(table, String(key));
      const value = table.entries.get(String(key));
      return value === undefined ? table.defaultValue : value;
    },
    xref: (map: string, sourceId: unknown) =>
      sourceId === undefined || sourceId === null ? undefined : scope.xref.get(map, String(sourceId)),
    localDate,
    zoneOffset,
    ...extra,
  };
}
