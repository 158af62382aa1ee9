/**
 * A small SOQL subset for the emulator: `SELECT fields FROM object [WHERE cond [AND cond…]] [ORDER BY f [ASC|DESC]]
 * [LIMIT n]`, where a condition is `field op value` (`= != < <= > >= LIKE`) or `field IN (values)`.
 */
import type { Row } from './state.js';

type Value = string | number | boolean | null;

/** One WHERE condition. */
export interface SoqlCondition {
  field: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'IN';
  value: Value | Value[];
}

/** A parsed query. */
export interface SoqlQuery {
  fields: string[];
  sobject: string;
  where: SoqlCondition[];
  orderBy?: { field: string; descending: boolean };
  limit?: number;
}

const LITERAL = String.raw`'(?:[^'\\]|\\.)*'|-?[\d.]+|true|false|null`;
const CONDITION = new RegExp(String.raw`^(\w+)\s*(=|!=|<=|>=|<|>|\s+LIKE\s+)\s*(${LITERAL})$`, 'i');
const IN_CONDITION = new RegExp(String.raw`^(\w+)\s+IN\s*\(\s*((?:${LITERAL})(?:\s*,\s*(?:${LITERAL}))*)\s*\)$`, 'i');

/** The parsed query, or the MALFORMED_QUERY message. */
export function parseSoql(text: string): SoqlQuery | string {
  const m =
    /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(\w+)(?:\s+(ASC|DESC))?)?(?:\s+LIMIT\s+(\d+))?\s*$/i.exec(
      text,
    );
  if (!m) return `unexpected token: ${text.slice(0, 40)}`;
  const where: SoqlCondition[] = [];
  for (const clause of m[3] ? m[3].split(/\s+AND\s+/i) : []) {
    const inList = IN_CONDITION.exec(clause.trim());
    if (inList) {
      where.push({ field: inList[1], op: 'IN', value: inList[2].split(/\s*,\s*/).map(literal) });
      continue;
    }
    const c = CONDITION.exec(clause.trim());
    if (!c) return `unexpected token in WHERE: ${clause}`;
    where.push({ field: c[1], op: c[2].trim().toUpperCase() as SoqlCondition['op'], value: literal(c[3]) });
  }
  return {
    fields: m[1].split(',').map((f) => f.trim()),
    sobject: m[2],
    where,
    orderBy: m[4] ? { field: m[4], descending: /desc/i.test(m[5] ?? '') } : undefined,
    limit: m[6] ? Number(m[6]) : undefined,
  };
}

/** Filters, sorts and projects rows as Salesforce returns them (with `attributes`). */
export function runSoql(query: SoqlQuery, rows: Iterable<Row>): Row[] {
  let out = [...rows].filter((r) => query.where.every((c) => matches(r[c.field], c)));
  if (query.orderBy) {
    const { field, descending } = query.orderBy;
    out.sort((a, b) => compare(a[field], b[field]) * (descending ? -1 : 1));
  }
  if (query.limit !== undefined) out = out.slice(0, query.limit);
  return out.map((r) => ({
    attributes: { type: query.sobject, url: `/services/data/v60.0/sobjects/${query.sobject}/${String(r.Id)}` },
    ...Object.fromEntries(query.fields.map((f) => [f, r[f] ?? null])),
  }));
}

function literal(raw: string): Value {
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/\\(.)/g, '$1');
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  if (/^null$/i.test(raw)) return null;
  return Number(raw);
}

function matches(actual: unknown, c: SoqlCondition): boolean {
  const value = actual === undefined ? null : actual;
  switch (c.op) {
    case '=':
      return value === c.value;
    case '!=':
      return value !== c.value;
    case 'IN':
      return (c.value as Value[]).includes(value as Value);
    case 'LIKE': {
      const pattern = String(c.value)
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/%/g, '.*')
        .replace(/_/g, '.');
      return typeof value === 'string' && new RegExp(`^${pattern}$`, 'i').test(value);
    }
    default: {
      if (value === null) return false;
      const order = compare(value, c.value);
      return c.op === '<' ? order < 0 : c.op === '<=' ? order <= 0 : c.op === '>' ? order > 0 : order >= 0;
    }
  }
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''));
}
