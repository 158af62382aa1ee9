/** ExecutionState held in memory: the dry run's, seeded from a test case's xref, echo and created-record state. */
import type { CallCheckpoint, ExecutionState } from '../execute/execution-types.js';
import { stableHash } from '../execute/stable-hash.js';

interface MemoryState extends ExecutionState {
  xrefs: Map<string, string>;
}

/**
 * @param xref   map -> source id -> target id
 * @param echo   `<connection>/<object>/<id>` -> the record Junction last wrote there
 * @param created `<connection>/<object>/<id>` -> the integration that created the record
 * @param sent   call keys (`<step>[.<index>]`) an earlier attempt sent without learning the outcome
 */
export function createMemoryState(
  xref: Record<string, Record<string, string>> = {},
  echo: Record<string, unknown> = {},
  created: Record<string, string> = {},
  sent: string[] = [],
): MemoryState {
  const xrefs = new Map<string, string>();
  for (const [map, entries] of Object.entries(xref))
    for (const [source, target] of Object.entries(entries)) xrefs.set(`${map}\u0000${source}`, target);
  const written = new Map(Object.entries(echo).map(([key, record]) => [key, stableHash(record)]));
  const creators = new Map(Object.entries(created));
  const done = new Map<string, CallCheckpoint>(sent.map((key) => [key, { sent: true }]));
  return {
    xrefs,
    xref: {
      get: (map, id) => xrefs.get(`${map}\u0000${id}`),
      set: async (map, id, target) => void xrefs.set(`${map}\u0000${id}`, target),
    },
    lastWritten: {
      get: async (key) => written.get(key),
      set: async (key, hash) => void written.set(key, hash),
    },
    createdBy: {
      get: async (key) => creators.get(key),
      set: async (key, integration) => void creators.set(key, integration),
    },
    checkpoint: {
      get: async (key) => done.get(key),
      set: async (key, value) => void done.set(key, value),
      clear: async (key) => void done.delete(key),
    },
  };
}
