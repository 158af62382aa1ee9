/** Add transactions: key checks, references, and the number series M3 assigns (ORNO, PUNO, INBN, VONO). */
import type { M3Transaction } from '../schemas/index.js';
import { result } from './envelope.js';
import type { M3ResultBody } from './envelope.js';
import type { M3State, Row } from './state.js';

type NokFn = (message: string, field: string | undefined, code: string) => M3ResultBody;

/** Adds a record; returns the records M3 answers (the assigned numbers) or a NOK. */
export function createRecord(state: M3State, tx: M3Transaction, short: string, input: Row, nok: NokFn): M3ResultBody {
  const table = state.tables[tx.object];
  const next = (series: string) => String(++state.sequences[series]);
  const missing = (object: string, field: string) =>
    input[field] && !state.tables[object].has(input[field])
      ? nok(missingMessage(object, input[field]), field, 'WCU0203')
      : undefined;
  const save = (key: string, row: Row, records: Row[]) => {
    table.set(key, row);
    return result(short, records);
  };
  switch (tx.name) {
    case 'CRS610MI/Add':
      if (table.has(input.CUNO)) return nok(`Customer number ${input.CUNO} already exists`, 'CUNO', 'WCU0103');
      return missing('customer', 'CUTM') ?? save(input.CUNO, { STAT: '20', ...input }, []);
    case 'CRS620MI/AddSupplier':
      if (table.has(input.SUNO)) return nok(`Supplier ${input.SUNO} already exists`, 'SUNO', 'WSU0103');
      return save(input.SUNO, { STAT: '20', ...input }, []);
    case 'MMS200MI/AddItmBasic':
      if (table.has(input.ITNO)) return nok(`Item number ${input.ITNO} already exists`, 'ITNO', 'WIT0103');
      return save(input.ITNO, { STAT: '20', ...input }, []);
    case 'OIS100MI/AddHead': {
      const bad = missing('customer', 'CUNO');
      if (bad) return bad;
      const ORNO = next('ORNO');
      return save(ORNO, { ...input, ORNO, ORST: '22', ORSL: '22' }, [{ ORNO }]);
    }
    case 'OIS100MI/AddLine': {
      const bad = missing('order_head', 'ORNO') ?? missing('item', 'ITNO');
      if (bad) return bad;
      const PONR = String([...table.values()].filter((l) => l.ORNO === input.ORNO).length + 1);
      return save(`${input.ORNO}/${PONR}`, { ...input, PONR }, [{ PONR }]);
    }
    case 'PPS100MI/AddHead': {
      const bad = missing('supplier', 'SUNO');
      if (bad) return bad;
      const PUNO = next('PUNO');
      return save(PUNO, { ...input, PUNO }, [{ PUNO }]);
    }
    case 'PPS100MI/AddLine': {
      const bad = missing('purchase_order', 'PUNO') ?? missing('item', 'ITNO');
      if (bad) return bad;
      const PNLI = String(([...table.values()].filter((l) => l.PUNO === input.PUNO).length + 1) * 10);
      return save(`${input.PUNO}/${PNLI}`, { ...input, PNLI }, [{ PNLI }]);
    }
    case 'PIS100MI/AddHead': {
      const bad = missing('supplier', 'SUNO');
      if (bad) return bad;
      if ([...table.values()].some((i) => i.SUNO === input.SUNO && i.SINO === input.SINO))
        return nok(`Supplier invoice ${input.SINO} is already registered`, 'SINO', 'WSI0103');
      const INBN = next('INBN');
      return save(INBN, { ...input, INBN }, [{ INBN }]);
    }
    case 'PIS100MI/AddLine': {
      const bad = missing('supplier_invoice', 'INBN');
      if (bad) return bad;
      const RDTP = '1';
      return save(`${input.INBN}/${table.size + 1}`, { ...input, RDTP }, [{ RDTP }]);
    }
    case 'GLS200MI/AddVoucherLine': {
      const VONO = input.VONO ?? next('VONO');
      const JRNO = String(table.size + 1);
      return save(`${VONO}/${JRNO}`, { ...input, VONO, JRNO }, [{ VONO, JRNO }]);
    }
    default:
      return save(String(table.size + 1), input, []);
  }
}

/** M3's "does not exist" message for a record type. */
export function missingMessage(object: string, id: string | undefined): string {
  const label: Record<string, string> = {
    customer: 'Customer',
    item: 'Item',
    supplier: 'Supplier',
    order_head: 'Order number',
    purchase_order: 'Purchase order',
  };
  return `${label[object] ?? 'Record'} ${id ?? ''} does not exist`;
}
