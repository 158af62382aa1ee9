/** The corpus's shared connections and lookups (corpus/_shared), for tests that compile an integration of their own. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SpecTreeFile } from '../../engine/compiler/spec-tree.js';

const root = fileURLToPath(new URL('./corpus/_shared/', import.meta.url));

/** Its files as a spec tree holds them, without its good integration (the test's own stands in its place). */
export const sharedCorpus: SpecTreeFile[] = readdirSync(root)
  .filter((f) => f !== 'good-integration.yaml')
  .map((f) => ({ path: `_shared/${f}`, bytes: readFileSync(root + f) }));
