/** The set an engine starts with when it follows Git: nothing runs until the first bundle is applied. */
import type { CompiledSpecSet } from '../compiler/compiled-spec.js';

/** A set with no integrations, labelled commit `none`. */
export function emptySpecSet(): CompiledSpecSet {
  return { commit: 'none', connections: new Map(), lookups: new Map(), integrations: new Map() };
}
