/** A small SOQL subset for the emulator: SELECT fields FROM object [WHERE a = 'x' [AND …]] [ORDER BY f] [LIMIT n]. */
import type { Row } from './state.js';

export interface SoqlQuery {
  fields: string[];
  sobject: string;
  where: [string, string | number | boolean][];
  orderBy?: string;
  limit?: number;
}

export function parseSoql(text: string): SoqlQuery | string {
  const m = /^\s*SELECT\s+(.+?)\s+FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(\w+))?(?:\s+LIMIT\s+(\d+))?\s*$/i.exec(text);
  if (!m) return `unexpected token: ${text.slice(0, 40)}`;
  const where: [string, string | number | boolean][] = [];
  if (m[3]) {
    for (const clause of m[3].split(/\s+AND\s+/i)) {
      const c = /^(\w+)\s*=\s*('(?:[^'\\]|\\.)*'|[\d.]+|true|false|null)$/i.exec(clause.trim());
      if (!c) return `unexpected token in WHERE: ${clause}`;
      const raw = c[2];
      where.push([c[1], raw.startsWith("'") ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw === 'true' ? true : raw === 'false' ? false : Number(raw)]);
    }
  }
  return { fields: m[1].split(',').map((f) => f.trim()), sobject: m[2], where, orderBy: m[4], limit: m[5] ? Number(m[5]) : undefined };
}

export function runSoql(query: SoqlQuery, rows: Iterable<Row>): Row[] {
  let out = [...rows].filter((r) => query.where.every(([f, v]) => r[f] === v));
  if (query.orderBy) out.sort((a, b) => String(a[query.orderBy!]).localeCompare(String(b[query.orderBy!])));
  if (query.limit !== undefined) out = out.slice(0, query.limit);
  return out.map((r) => ({ attributes: { type: query.sobject, url: `/services/data/v60.0/sobjects/${query.sobject}/${String(r.Id)}` }, ...Object.fromEntries(query.fields.map((f) => [f, r[f] ?? null])) }));
}
