/** Raising the JSONata error codes of the formatting functions as Junction `TransformError`s. */
import { TransformError } from '../../transform-engine.js';

/** Throws a `TransformError` with a JSONata error code (D3080, D3130...). `token` names the function when known. */
export function fail(code: string, message: string, token?: string): never {
  throw new TransformError(message, code, undefined, token);
}

/** Tags an error raised inside one of our functions with the function's name (as jsonata-js reports `token`). */
export function withToken(error: unknown, token: string): unknown {
  if (error instanceof TransformError && error.token === undefined) {
    return new TransformError(error.message, error.code, error.position, token, { cause: error });
  }
  return error;
}
