/** The shape of the generated M3 catalog: MI transactions with their fields as M3's own metadata lists them. */

/** M3 field types: A alphanumeric, N numeric, D date. */
export type M3FieldType = 'A' | 'N' | 'D';

/** An input field: name, type, length (null when the metadata gives none), mandatory flag, description. */
export type M3Input = readonly [
  name: string,
  type: M3FieldType,
  length: number | null,
  mandatory: boolean,
  label: string,
];

/** An output field: name, type, length, description. */
export type M3Output = readonly [name: string, type: M3FieldType, length: number | null, label: string];

/** One MI transaction, `PROGRAM/Transaction`. */
export interface M3TransactionMeta {
  description: string;
  inputs: readonly M3Input[];
  outputs: readonly M3Output[];
}

/** Where a program's metadata comes from: repository, commit and file. */
export interface M3Source {
  description: string;
  repo: string;
  commit: string;
  path: string;
}
