/* eslint-disable @typescript-eslint/no-explicit-any */
/** The AST node shape, as jsonata-js's `ast()` exposes it (loosely typed: node kinds carry different fields). */
export interface Node {
  type: string;
  value?: any;
  position?: number;
  [key: string]: any;
}
