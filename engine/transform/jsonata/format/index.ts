/**
 * JSONata's formatting and parsing built-ins for Junction's engine: $formatNumber, $formatBase, $formatInteger,
 * $parseInteger, $fromMillis (and $now), $toMillis. Pure functions; parsed pictures are cached per picture string.
 * Errors are `TransformError`s carrying JSONata's codes (D3080-D3093, D3100, D3110, D3130-D3136).
 */
export { formatNumber } from './format-number.js';
export { formatBase } from './format-base.js';
export { formatInteger } from './format-integer.js';
export { parseInteger } from './parse-integer.js';
export { fromMillis } from './format-datetime.js';
export { toMillis } from './to-millis.js';
