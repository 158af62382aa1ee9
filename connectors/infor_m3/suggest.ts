/**
 * "Did you mean" for MI transactions the catalog does not have: the real transaction for calls that do not exist in
 * M3 (the seed documents' OIS100MI/AddHead, PPS100MI and PIS100MI writes, GLS200MI postings, MMS080MI/LstByItem),
 * else the closest transaction of the same program, else nothing (validate then tries every operation name).
 */
import { M3_CATALOG } from './catalog/m3-catalog.js';

/** Calls that M3's metadata does not have, and the transaction that does the job. */
const REPLACEMENTS: Readonly<Record<string, string>> = {
  // Orders are entered as batch orders: AddBatchHead, AddBatchLine per line, then Confirm for the final number.
  'OIS100MI/AddHead': 'OIS100MI/AddBatchHead',
  'OIS100MI/AddLine': 'OIS100MI/AddBatchLine',
  // PPS100MI is purchase agreements; purchase orders are entered through the PO batch entry.
  'PPS100MI/AddHead': 'PPS370MI/AddHead',
  'PPS100MI/AddLine': 'PPS370MI/AddLine',
  // There is no PIS100MI; supplier invoices go through the invoice batch interface.
  'PIS100MI/AddHead': 'APS450MI/AddHead',
  'PIS100MI/AddLine': 'APS450MI/AddLine',
  // GLS200MI only reads the ledger; postings go through the generic GL interface.
  'GLS200MI/AddVoucherLine': 'GLS840MI/AddBatchLine',
  'MMS080MI/LstByItem': 'MMS060MI/LstViaItem',
};

export function suggestTransaction(name: string): string | undefined {
  if (REPLACEMENTS[name]) return REPLACEMENTS[name];
  const [program, transaction = ''] = name.split('/');
  const siblings = Object.keys(M3_CATALOG).filter((t) => t.startsWith(`${program}/`));
  // The same program's transaction whose name shares the most: `AddHead` in OIS100MI is `AddBatchHead`.
  const wanted = transaction.toLowerCase();
  return (
    siblings.find((t) => t.split('/')[1].toLowerCase() === wanted) ??
    siblings.find((t) => wanted && t.split('/')[1].toLowerCase().includes(wanted))
  );
}
