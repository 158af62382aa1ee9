/**
 * `--transform-engine`, an advanced option: an engine developer's knob for comparing our JSONata engine with
 * jsonata-js. Kept apart from wiring.ts so that declaring it loads neither engine (`junction --help` stays fast).
 */
import { Option } from 'commander';
import type { TransformEngineName } from '../transform/select-engine.js';
import { advancedOption } from './help-levels.js';

const ENGINES = ['junction', 'reference'] as const satisfies readonly TransformEngineName[];

export function transformEngineOption(): Option {
  return advancedOption(
    new Option('--transform-engine <engine>', 'JSONata engine (jsonata-js is "reference")')
      .choices(ENGINES)
      .default('junction'),
  );
}
