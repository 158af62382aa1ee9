/** Picks the JSONata engine by name: Junction's own (default) or jsonata-js (`--transform-engine reference`). */
import { referenceEngine } from './reference-engine.js';
import type { TransformEngine } from './transform-engine.js';

export const TRANSFORM_ENGINES = ['junction', 'reference'] as const;
export type TransformEngineName = (typeof TRANSFORM_ENGINES)[number];

export function transformEngine(name: TransformEngineName = 'junction'): TransformEngine {
  // Until the compiled engine lands, both names resolve to the reference implementation.
  return name === 'reference' ? referenceEngine : referenceEngine;
}
