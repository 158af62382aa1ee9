/**
 * A small SOQL subset for the emulator: `SELECT fields FROM object [WHERE cond [AND cond…]] [ORDER BY f [ASC|DESC]
 * [, f2 …]] [LIMIT n]`, where a condition is `field op value` (`= != < <= > >= LIKE`) or `field IN (values)`, and a
 * dateTime value is written unquoted (`SystemModstamp >= 2026-01-01T00:00:00Z`), as SOQL requires.
 */
import type { Row } from './state.js';

type Value = string | number | boolean | null | Date;

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
  orderBy: { field: string; descending: boolean }[];
  limit?: number;
}

const DATETIME = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})`;
const LITERAL = String.raw`'(?:[^'\\]|\\.)*'|${DATETIME}|-?[\d.]+|true|false|null`;
const CONDITION = new RegExp(String.raw`^(\w+)\s*(=|!=|<=|>=|<|>|\s+LIKE\s+)\s*(${LITERAL})$`, 'i');
const IN_CONDITION = new RegExp(String.raw`^(\w+)\s+IN\s*\(\s*((?:${LITERAL})(?:\s*,\s*(?:${LITERAL}))*)\s*\)$`, 'i');

/** The parsed query, or the MALFORMED_QUERY message. */
export function parseSoql(text: string): SoqlQuery | string {
  const m =
    /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(\w+(?:\s+(?:ASC|DESC))?(?:\s*,\s*\w+(?:\s+(?:ASC|DESC))?)*))?(?:\s+LIMIT\s+(\d+))?\s*$/i.exec(
      text,
    );
  if (!m) return `unexpected token: ${text.slice(0, 40)}`;
  const where: SoqlCondition[] = [];
  for (const clause of m[3] ? m[3].split(/\s+AND\s+/i).map((c) => c.trim().replace(/^\((.*)\)$/, '$1')) : []) {
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
    orderBy: (m[4] ?? '')
      .split(',')
      .filter((o) => o.trim())
      .map((o) => ({ field: o.trim().split(/\s+/)[0], descending: /\sdesc$/i.test(o.trim()) })),
    limit: m[5] ? Number(m[5]) : undefined,
  };
}

/** Filters, sorts and projects rows as Salesforce returns them (with `attributes`). */
export function runSoql(query: SoqlQuery, rows: Iterable<Row>): Row[] {
  let out = [...rows].filter((r) => query.where.every((c) => matches(r[c.field], c)));
  for (const { field, descending } of [...query.orderBy].reverse())
    out = [...out].sort((a, b) => compare(a[field], b[field]) * (descending ? -1 : 1));
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
  if (new RegExp(`^${DATETIME}$`).test(raw)) return new Date(isoTime(raw));
  return Number(raw);
}

function matches(actual: unknown, c: SoqlCondition): boolean {
  const value = actual === undefined ? null : actual;
  switch (c.op) {
    case '=':
      return c.value instanceof Date ? value !== null && compare(value, c.value) === 0 : value === c.value;
    case '!=':
      return c.value instanceof Date ? value === null || compare(value, c.value) !== 0 : value !== c.value;
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

/** `+0000` (how Salesforce writes dateTimes) as `+00:00`, which Date.parse reads. */
const isoTime = (text: string) => text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');

function compare(a: unknown, b: unknown): number {
  if (b instanceof Date) return Date.parse(isoTime(String(a))) - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''));
}
