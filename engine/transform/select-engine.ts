/** Picks the JSONata engine by name: Junction's own (default) or jsonata-js (`--transform-engine reference`). */
import { junctionEngine } from './junction-engine.js';
import { referenceEngine } from './reference-engine.js';
import type { TransformEngine } from './transform-engine.js';

export const TRANSFORM_ENGINES = ['junction', 'reference'] as const;
export type TransformEngineName = (typeof TRANSFORM_ENGINES)[number];

export function transformEngine(name: TransformEngineName = 'junction'): TransformEngine {
  return name === 'reference' ? referenceEngine : junctionEngine;
}
