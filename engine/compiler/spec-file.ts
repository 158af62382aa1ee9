/** A spec file after parsing: its text, its YAML document with source positions, and its plain value. */
import type { Document, LineCounter } from 'yaml';

export interface SpecFile {
  /** Absolute path on disk. */
  absolutePath: string;
  /** Path shown in diagnostics (relative to the root). */
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
  /** The document as plain JSON-like data. */
  value: unknown;
}
