/**
 * Specs that do not compile, with their errors at path:line:col: exit code 1, a problem found in the input as
 * `validate` reports it, not 2, which the CLI keeps for a command used wrongly.
 */
export class SpecsDoNotCompileError extends Error {
  override name = 'SpecsDoNotCompileError';
}
