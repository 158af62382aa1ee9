/** Formatting functions: $formatNumber, $formatInteger, $parseInteger. */
import type { NativeFn } from '../runtime.js';
import { formatInteger, parseInteger } from './format-integer.js';
import { formatNumber } from './format-number.js';
import { native } from './registry.js';

export const formatFunctions: NativeFn[] = [
  native('formatNumber', '<n-so?:s>', formatNumber),
  native('formatInteger', '<n-s:s>', formatInteger),
  native('parseInteger', '<s-s:n>', parseInteger),
];
