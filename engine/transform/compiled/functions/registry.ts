/* eslint-disable @typescript-eslint/no-explicit-any */
/** Declares native library functions with their JSONata signatures. */
import type { Focus, NativeFn } from '../runtime.js';
import { parseSignature } from '../signature.js';

type Impl = (this: Focus, ...args: any[]) => any;

export function native(name: string, signature: string | undefined, implementation: Impl, arity?: number): NativeFn {
  return {
    _jsonata_function: true,
    name,
    implementation,
    signature: signature ? parseSignature(signature) : undefined,
    arity: arity ?? implementation.length,
    usesFocus: /\bthis\b/.test(implementation.toString()),
    position: undefined,
  };
}
