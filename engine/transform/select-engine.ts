/** Picks the JSONata engine by name: Junction's own (default) or jsonata-js (`--transform-engine reference`). */
import { junctionEngine } from './junction-engine.js';
import { referenceEngine } from './reference-engine.js';
import type { TransformEngine } from './transform-engine.js';

export type TransformEngineName = 'junction' | 'reference';

export function transformEngine(name: TransformEngineName = 'junction'): TransformEngine {
  return name === 'reference' ? referenceEngine : junctionEngine;
}
