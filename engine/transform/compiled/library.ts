/** The root environment frame holding the JSONata function library. */
import { arrayFunctions } from './functions/arrays.js';
import { datetimeFunctions } from './functions/datetime.js';
import { evalFunctions } from './functions/eval.js';
import { formatFunctions } from './functions/format.js';
import { higherOrderFunctions } from './functions/higher-order.js';
import { numericFunctions } from './functions/numeric.js';
import { objectFunctions } from './functions/objects.js';
import { stringFunctions } from './functions/strings.js';
import type { NativeFn } from './runtime.js';

const ALL = [
  ...stringFunctions,
  ...numericFunctions,
  ...arrayFunctions,
  ...objectFunctions,
  ...higherOrderFunctions,
  ...datetimeFunctions,
  ...formatFunctions,
  ...evalFunctions,
];

export const LIBRARY = new Map<string, NativeFn>();
for (const f of ALL) LIBRARY.set(f.name, f);
