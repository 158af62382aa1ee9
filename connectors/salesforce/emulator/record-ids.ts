/**
 * Salesforce record ids: a 3-character key prefix naming the object, then 12 characters, 15 in all and
 * case-sensitive; the 18-character form appends 3 characters that encode the case of the first 15, so it can be
 * compared case-insensitively. APIs accept either form and answer with 18.
 */

const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

/** The 3-character case-check suffix of a 15-character id: one bit per upper-case letter, five per character. */
export function caseSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id15[chunk * 5 + i])) bits |= 1 << i;
    suffix += SUFFIX_ALPHABET[bits];
  }
  return suffix;
}

/**
 * The canonical 18-character form of an id given in either form, or undefined when it is not an id at all (what
 * Salesforce answers MALFORMED_ID for). An 18-character id regains the case of its first 15 from its suffix.
 */
export function canonicalId(value: unknown): string | undefined {
  if (typeof value !== 'string' || !ID.test(value)) return undefined;
  if (value.length === 15) return value + caseSuffix(value);
  const suffix = value.slice(15).toUpperCase();
  let id15 = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    const bits = SUFFIX_ALPHABET.indexOf(suffix[chunk]);
    if (bits < 0) return undefined;
    for (let i = 0; i < 5; i++) {
      const c = value[chunk * 5 + i];
      id15 += bits & (1 << i) ? c.toUpperCase() : c.toLowerCase();
    }
  }
  return id15 + caseSuffix(id15);
}

/** A new id for an object with this key prefix: the prefix, a 12-digit counter and the case-check suffix. */
export function newRecordId(prefix: string, counter: number): string {
  const id15 = `${prefix}${String(counter).padStart(12, '0')}`;
  return id15 + caseSuffix(id15);
}
