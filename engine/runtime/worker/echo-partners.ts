/**
 * Which integrations keep echo-suppression state (`junction_written`: a read before and a write after every owned
 * update or upsert, two broker round trips). An echo needs a loop: our write to a system comes back as that system's
 * change event to an integration that writes to where our events come from. So an integration keeps the state only
 * when it has such a reverse partner in the spec set: another integration that may be fed by a connection it writes
 * to and writes to a connection it may be fed by, or itself, when its source is a connection it writes to. A source
 * is known for schedule and stream sources and for integrations that declare `read`; a webhook or NATS source may
 * come from anywhere, so it matches every connection of another integration. Trade-off in docs/runtime.md.
 */
import type { CompiledIntegration, CompiledSpecSet } from '../../compiler/compiled-spec.js';

const PARTNERED = new WeakMap<CompiledSpecSet, ReadonlySet<string>>();

/** Whether an integration of a spec set has a reverse partner (so its writes keep echo-suppression state). */
export function hasReversePartner(set: CompiledSpecSet, integration: string): boolean {
  let partnered = PARTNERED.get(set);
  if (!partnered) {
    const all = [...set.integrations.values()];
    partnered = new Set(all.filter((a) => all.some((b) => partners(a, b))).map((a) => a.name));
    PARTNERED.set(set, partnered);
  }
  return partnered.has(integration);
}

function partners(a: CompiledIntegration, b: CompiledIntegration): boolean {
  const [fromA, fromB] = [sourceConnection(a), sourceConnection(b)];
  // Itself: only a source known to be one of its own targets.
  if (a === b) return fromA !== undefined && writes(a).has(fromA);
  const feeds = (writer: CompiledIntegration, from: string | undefined) =>
    writes(writer).size > 0 && (from === undefined || writes(writer).has(from));
  return feeds(a, fromB) && feeds(b, fromA);
}

/** The connection an integration's events come from, when the spec says so. */
export function sourceConnection(i: CompiledIntegration): string | undefined {
  if (i.source.kind === 'schedule' || i.source.kind === 'stream') return i.source.connection;
  return i.read?.list?.connection ?? i.read?.get?.connection;
}

/** Connections an integration writes owned fields to. */
function writes(i: CompiledIntegration): Set<string> {
  return new Set(i.steps.filter((s) => s.ownedFields).map((s) => s.connection));
}
