/**
 * Salesforce record ids come in two forms (SOAP API Developer Guide, "Field Types", ID): 15 case-sensitive
 * characters, and the 18-character form the API answers with, the same 15 followed by a 3-character case checksum.
 * A lookup written with a 15-character id (a lookup table, an old export) is stored and read back as 18.
 */
const ID15 = /^[a-zA-Z0-9]{15}$/;
const ID18 = /^[a-zA-Z0-9]{18}$/;

/** Whether `sent` and `held` are the two forms of one record id. */
export function sameRecordId(sent: unknown, held: unknown): boolean {
  if (typeof sent !== 'string' || typeof held !== 'string') return false;
  const [short, long] = sent.length <= held.length ? [sent, held] : [held, sent];
  return ID15.test(short) && ID18.test(long) && long.startsWith(short);
}
