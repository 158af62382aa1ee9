/**
 * A small SOQL subset for the emulator: `SELECT fields FROM object [WHERE cond [AND cond…]] [ORDER BY f [ASC|DESC]
 * [, f2 …]] [LIMIT n]`, where a condition is `field op value` (`= != < <= > >= LIKE`) or `field IN (values)`, and a
 * dateTime value is written unquoted (`SystemModstamp >= 2026-01-01T00:00:00Z`), as SOQL requires.
 * Relationship queries as Salesforce has them: a child-to-parent field by the dot (`Account.Name`,
 * `c2g__Account__r.Name`: the reference field's relationship name) comes back as a nested parent record, and a
 * parent-to-child subquery in the field list (`(SELECT LastName FROM Contacts)`: the child relationship's name)
 * comes back as a nested query result (`totalSize`, `done`, `records`), null when there are no children.
 */
import type { JsonSchema } from '../../../engine/sdk/index.js';
import type { RecordStore, Row } from './record-store.js';

type Value = string | number | boolean | null | Date;

/** One WHERE condition. */
export interface SoqlCondition {
  field: string;
  op: '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'IN';
  value: Value | Value[];
}

/** A parsed query. */
export interface SoqlQuery {
  /** Fields and child-to-parent paths (`Account.Name`). */
  fields: string[];
  /** Parent-to-child subqueries, by child relationship name (their `sobject`). */
  children: SoqlQuery[];
  sobject: string;
  where: SoqlCondition[];
  orderBy: { field: string; descending: boolean }[];
  limit?: number;
  /** The query as written (for the caret of an error message). */
  text?: string;
}

const DATETIME = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})`;
const LITERAL = String.raw`'(?:[^'\\]|\\.)*'|${DATETIME}|-?[\d.]+|true|false|null`;
const CONDITION = new RegExp(String.raw`^([\w.]+)\s*(=|!=|<=|>=|<|>|\s+LIKE\s+)\s*(${LITERAL})$`, 'i');
const IN_CONDITION = new RegExp(
  String.raw`^([\w.]+)\s+IN\s*\(\s*((?:${LITERAL})(?:\s*,\s*(?:${LITERAL}))*)\s*\)$`,
  'i',
);

/** The parsed query, or the MALFORMED_QUERY message. */
export function parseSoql(text: string): SoqlQuery | string {
  const select = /^\s*SELECT\s+/i.exec(text);
  const from = select ? topLevelFrom(text, select[0].length) : -1;
  if (!select || from < 0) return `unexpected token: ${text.slice(0, 40)}`;
  const m =
    /^FROM\s+(\w+)(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(\w+(?:\s+(?:ASC|DESC))?(?:\s*,\s*\w+(?:\s+(?:ASC|DESC))?)*))?(?:\s+LIMIT\s+(\d+))?\s*$/i.exec(
      text.slice(from),
    );
  if (!m) return `unexpected token: ${text.slice(from, from + 40)}`;
  const where: SoqlCondition[] = [];
  for (const clause of m[2] ? m[2].split(/\s+AND\s+/i).map((c) => c.trim().replace(/^\((.*)\)$/, '$1')) : []) {
    const inList = IN_CONDITION.exec(clause.trim());
    const c = inList ? undefined : CONDITION.exec(clause.trim());
    if (!inList && !c) return `unexpected token in WHERE: ${clause}`;
    const op = inList ? 'IN' : (c![2].trim().toUpperCase() as SoqlCondition['op']);
    const raws = inList ? inList[2].split(/\s*,\s*/) : [c![3]];
    const values = raws.map((raw) => literal(raw, op === 'LIKE'));
    const bad = values.find((v): v is { malformed: string } => typeof v === 'object' && v !== null && 'malformed' in v);
    if (bad) return bad.malformed;
    where.push({ field: inList ? inList[1] : c![1], op, value: inList ? (values as Value[]) : (values[0] as Value) });
  }
  const fields: string[] = [];
  const children: SoqlQuery[] = [];
  for (const item of topLevelItems(text.slice(select[0].length, from))) {
    if (!item.startsWith('(')) {
      fields.push(item);
      continue;
    }
    const child = parseSoql(item.slice(1, -1));
    if (typeof child === 'string') return child;
    children.push(child);
  }
  return {
    fields,
    children,
    sobject: m[1],
    where,
    orderBy: (m[3] ?? '')
      .split(',')
      .filter((o) => o.trim())
      .map((o) => ({ field: o.trim().split(/\s+/)[0], descending: /\sdesc$/i.test(o.trim()) })),
    limit: m[4] ? Number(m[4]) : undefined,
    text,
  };
}

/** Where the outer query's FROM starts (a subquery's FROM is inside parentheses); -1 when there is none. */
function topLevelFrom(text: string, start: number): number {
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (depth === 0 && /\sFROM\s/iy.test(text.slice(i - 1, i + 5))) return i;
  }
  return -1;
}

/** The SELECT list's items, split at the commas outside parentheses. */
function topLevelItems(list: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of list) {
    if (ch === ',' && depth === 0) {
      items.push(current.trim());
      current = '';
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    current += ch;
  }
  return [...items, current.trim()].filter(Boolean);
}

/** The org's records and its objects' fields, whose references name the relationships. */
export interface SoqlOrg {
  store: RecordStore;
  fields(sobject: string): Readonly<Record<string, JsonSchema>>;
}

/**
 * Filters, sorts and projects rows as Salesforce returns them (with `attributes`), or the INVALID_FIELD /
 * INVALID_TYPE message for a relationship the object does not have.
 */
export function runSoql(query: SoqlQuery, org: SoqlOrg, rows = org.store.rows(query.sobject)): Row[] | string {
  for (const path of [...query.fields, ...query.where.map((c) => c.field)].filter((f) => f.includes('.'))) {
    const unknown = unknownParent(org, query.sobject, path);
    if (unknown) return `INVALID_FIELD: Didn't understand relationship '${unknown}' in field path.`;
  }
  for (const path of [...query.fields, ...query.where.map((c) => c.field)]) {
    const unknown = unknownColumn(org, query.sobject, path);
    if (unknown) return `INVALID_FIELD: ${noSuchColumn(query, unknown.name, unknown.entity)}`;
  }
  const relations = new Map<SoqlQuery, string>();
  for (const child of query.children) {
    const field = childField(org, query.sobject, child.sobject);
    if (!field) return `INVALID_TYPE: Didn't understand relationship '${child.sobject}' in FROM part of query call.`;
    const invalid = runSoql({ ...child, sobject: field.split('.')[0] }, org, []);
    if (typeof invalid === 'string') return invalid;
    relations.set(child, field);
  }
  const badId = invalidIdFilter(query.where);
  if (badId !== undefined) return `INVALID_QUERY_FILTER_OPERATOR: invalid ID field: ${badId}`;
  const exact = query.where.map((c) => comparesExactly(org, query.sobject, c.field));
  let out = rows.filter((r) => query.where.every((c, i) => matches(valueAt(org, r, c.field), c, exact[i])));
  for (const { field, descending } of [...query.orderBy].reverse())
    out = [...out].sort((a, b) => compare(a[field], b[field]) * (descending ? -1 : 1));
  if (query.limit !== undefined) out = out.slice(0, query.limit);
  return out.map((r) => {
    const row: Row = { attributes: attributes(query.sobject, r) };
    for (const f of query.fields) project(org, r, f.split('.'), row);
    for (const [child, field] of relations) {
      const [type, reference] = field.split('.');
      const mine = org.store.rows(type).filter((c) => c[reference] === r.Id);
      const records = runSoql({ ...child, sobject: type }, org, mine) as Row[];
      row[child.sobject] = records.length ? { totalSize: records.length, done: true, records } : null;
    }
    return row;
  });
}

const attributes = (type: string, r: Row) => ({ type, url: `/services/data/v60.0/sobjects/${type}/${String(r.Id)}` });

/** A record id: 15 case-sensitive or 18 case-insensitive alphanumeric characters. */
const RECORD_ID = /^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$/;

/**
 * The first text compared with `Id` that is no record id (`001*`, a name): SOQL wants "a value whose data type
 * matches the field type", and Salesforce refuses the query (INVALID_QUERY_FILTER_OPERATOR, invalid ID field).
 */
function invalidIdFilter(where: readonly SoqlCondition[]): string | undefined {
  for (const c of where) {
    if (c.field !== 'Id' || c.op === 'LIKE') continue;
    const values = Array.isArray(c.value) ? c.value : [c.value];
    const bad = values.find((v) => typeof v === 'string' && v !== '' && !RECORD_ID.test(v));
    if (bad !== undefined) return String(bad);
  }
  return undefined;
}

/**
 * The last field of a (dotted) path that its object does not have, by API name whatever its case (an object the
 * emulator has no fields for is not checked).
 */
function unknownColumn(org: SoqlOrg, sobject: string, path: string): { name: string; entity: string } | undefined {
  const names = path.split('.');
  let type = sobject;
  for (const relationship of names.slice(0, -1)) {
    const field = org.fields(type)[referenceField(relationship)] as { 'x-reference-to'?: string[] } | undefined;
    type = field?.['x-reference-to']?.[0] ?? type;
  }
  const fields = Object.keys(org.fields(type));
  const name = names.at(-1)!;
  if (!fields.length || fields.some((f) => f.toLowerCase() === name.toLowerCase())) return undefined;
  return { name, entity: type };
}

/**
 * Salesforce's INVALID_FIELD message for a column the object does not have: the query, a caret under the column,
 * its row and column, and the advice about the `__c` suffix (as the REST API's query resource answers it).
 */
function noSuchColumn(query: SoqlQuery, name: string, entity: string): string {
  const text = query.text ?? '';
  const at = Math.max(0, text.search(new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`)));
  return (
    `\n${text}\n${' '.repeat(at)}^\nERROR at Row:1:Column:${at + 1}\nNo such column '${name}' on entity ` +
    `'${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field ` +
    'name. Please reference your WSDL or the describe call for the appropriate names.'
  );
}

/** The reference field behind a relationship name: `Account` -> `AccountId`, `c2g__Account__r` -> `…__c`. */
const referenceField = (relationship: string) =>
  relationship.endsWith('__r') ? relationship.replace(/__r$/, '__c') : `${relationship}Id`;

/** The parent a relationship name leads to from this record, null when the reference is empty. */
function parentOf(org: SoqlOrg, r: Row, relationship: string): { type: string; row: Row } | null {
  const id = r[referenceField(relationship)];
  const type = org.store.objectOf(id);
  const row = type ? org.store.get(type, id) : undefined;
  return type && row ? { type, row } : null;
}

/** The first relationship in a dotted path that the object (or the parent it leads to) does not have. */
function unknownParent(org: SoqlOrg, sobject: string, path: string): string | undefined {
  let type = sobject;
  for (const relationship of path.split('.').slice(0, -1)) {
    const field = org.fields(type)[referenceField(relationship)] as { 'x-reference-to'?: string[] } | undefined;
    const to = field?.['x-reference-to']?.[0];
    if (!to) return relationship;
    type = to;
  }
  return undefined;
}

/** `<child object>.<reference field>` of a child relationship of `parent`, if it has one by that name. */
function childField(org: SoqlOrg, parent: string, relationship: string): string | undefined {
  for (const type of org.store.objects())
    for (const [name, field] of Object.entries(org.fields(type))) {
      const f = field as { 'x-reference-to'?: string[]; 'x-child-relationship'?: string };
      if (f['x-child-relationship'] === relationship && f['x-reference-to']?.includes(parent)) return `${type}.${name}`;
    }
  return undefined;
}

/** A field's value, following child-to-parent relationships. */
function valueAt(org: SoqlOrg, r: Row, path: string): unknown {
  const [head, ...rest] = path.split('.');
  if (!rest.length) return r[head];
  const parent = parentOf(org, r, head);
  return parent ? valueAt(org, parent.row, rest.join('.')) : null;
}

/** Sets a (dotted) field on the result row: a parent comes as a nested record, or null when there is none. */
function project(org: SoqlOrg, r: Row, path: string[], out: Row): void {
  const [head, ...rest] = path;
  if (!rest.length) {
    out[head] = r[head] ?? null;
    return;
  }
  const parent = parentOf(org, r, head);
  if (!parent) {
    out[head] = null;
    return;
  }
  const nested = (out[head] as Row | undefined) ?? { attributes: attributes(parent.type, parent.row) };
  out[head] = nested;
  project(org, parent.row, rest, nested);
}

/**
 * SOQL's escape sequences in a quoted string (SOQL and SOSL Reference, "Quoted String Escape Sequences"); a backslash
 * anywhere else is an error. `\_` and `\%` are for LIKE only.
 */
const ESCAPE = /\\(u[0-9a-fA-F]{4}|.)/g;
const ESCAPED: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '"': '"', "'": "'", '\\': '\\' };

/** `like`: a LIKE pattern, kept as written (likePattern reads it). */
function literal(raw: string, like: boolean): Value | { malformed: string } {
  if (raw.startsWith("'")) return quoted(raw.slice(1, -1), like);
  if (/^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
  if (/^null$/i.test(raw)) return null;
  if (new RegExp(`^${DATETIME}$`).test(raw)) return new Date(isoTime(raw));
  return Number(raw);
}

/** A quoted string's value (a LIKE pattern's text), or the MALFORMED_QUERY message for an escape SOQL lacks. */
function quoted(body: string, like: boolean): string | { malformed: string } {
  const bad = [...body.matchAll(ESCAPE)].find(([, code]) => unescaped(code, like) === undefined);
  // [emulator] Salesforce documents that the query fails; its message for this case is not published.
  if (bad) return { malformed: `invalid escape sequence ${bad[0]} in '${body}'` };
  return like ? body : body.replace(ESCAPE, (_, code: string) => unescaped(code, false)!);
}

function unescaped(code: string, like: boolean): string | undefined {
  if (code.length === 5) return String.fromCharCode(parseInt(code.slice(1), 16));
  return ESCAPED[code.toLowerCase()] ?? (like && (code === '_' || code === '%') ? code : undefined);
}

/** A LIKE pattern as a regular expression: `%` any run, `_` one character, an escaped character itself. */
function likePattern(text: string): RegExp {
  const source = text.replace(/\\(u[0-9a-fA-F]{4}|.)|([%_])|([.*+?^${}()|[\]\\])/g, (_, code, wild, special) => {
    if (code) return unescaped(code as string, true)!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    if (wild) return wild === '%' ? '.*' : '.';
    return `\\${special as string}`;
  });
  return new RegExp(`^${source}$`, 'is');
}

/**
 * Whether SOQL compares the field's text exactly: "Comparisons on strings are case-sensitive for unique
 * case-sensitive fields. For all other fields, comparisons are case-insensitive". Record ids (Id and lookups) are
 * kept exact here, as the emulator stores them in one form.
 */
function comparesExactly(org: SoqlOrg, sobject: string, path: string): boolean {
  const names = path.split('.');
  let type: string | undefined = sobject;
  for (const relationship of names.slice(0, -1)) {
    const field = org.fields(type)[referenceField(relationship)] as { 'x-reference-to'?: string[] } | undefined;
    type = field?.['x-reference-to']?.[0];
    if (!type) return true;
  }
  const name = names[names.length - 1];
  const def = org.fields(type)[name] as { 'x-reference-to'?: string[]; 'x-case-sensitive'?: boolean } | undefined;
  return name === 'Id' || def?.['x-reference-to'] !== undefined || def?.['x-case-sensitive'] === true;
}

/** A text value as the comparison sees it: lower case unless the field compares exactly. */
const folded = (value: unknown, exact: boolean): unknown =>
  !exact && typeof value === 'string' ? value.toLowerCase() : value;

function matches(actual: unknown, c: SoqlCondition, exact: boolean): boolean {
  const value = folded(actual === undefined ? null : actual, exact);
  const wanted = folded(c.value, exact);
  switch (c.op) {
    case '=':
      return c.value instanceof Date ? value !== null && compare(value, c.value) === 0 : value === wanted;
    case '!=':
      return c.value instanceof Date ? value === null || compare(value, c.value) !== 0 : value !== wanted;
    case 'IN':
      return (c.value as Value[]).map((v) => folded(v, exact)).includes(value as Value);
    case 'LIKE': {
      return typeof value === 'string' && likePattern(String(c.value)).test(value);
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
