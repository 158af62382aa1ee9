/** How CLI commands read and compile a spec directory, with the default connectors and transform engine. */
import { stat } from 'node:fs/promises';
import { createConnectorRegistry } from '../../connectors/index.js';
import { compileSpecTree } from '../spec/compile-spec-set.js';
import type { CompileResult } from '../spec/compile-spec-set.js';
import { readSpecTree } from '../spec/spec-tree.js';
import type { SpecTree } from '../spec/spec-tree.js';
import { transformEngine } from '../transform/select-engine.js';
import type { TransformEngineName } from '../transform/select-engine.js';
import { UsageError } from './usage-error.js';

export async function compileDirectoryWithTree(dir: string, engineName: TransformEngineName = 'junction'): Promise<{ result: CompileResult; tree: SpecTree }> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`spec directory ${JSON.stringify(dir)} does not exist or is not a directory`);
  const tree = await readSpecTree(dir);
  return { result: compileSpecTree(tree, { connectors: createConnectorRegistry(), engine: transformEngine(engineName) }), tree };
}

export async function compileDirectory(dir: string, engineName: TransformEngineName = 'junction'): Promise<CompileResult> {
  return (await compileDirectoryWithTree(dir, engineName)).result;
}
