/**
 * `enrich_fields` and `gap_fields` against the objects' fields, at validate time: Salesforce refuses a SOQL query
 * that names a field the object does not have (INVALID_FIELD), and the enrichment read of every such event with it.
 * Field and relationship names are matched as Salesforce does, whatever their case; a parent is reached by its
 * relationship name (`Account` for `AccountId`, `c2g__Account__r` for `c2g__Account__c`), children by a subquery on
 * the child relationship's name. An object nothing describes (neither the connector nor a pulled overlay) is a
 * warning: its fields are not guessed.
 */
import { closestMatch as closest } from '../../../engine/sdk/index.js';
import type { JsonSchema, KnownObjects, ParamProblem } from '../../../engine/sdk/index.js';

type Fields = Record<string, JsonSchema & { 'x-reference-to'?: string[]; 'x-child-relationship'?: string }>;

const READ_PARAMS = ['enrich_fields', 'gap_fields'] as const;

/** The problems of `enrich_fields` and `gap_fields` (their form is checked by the params schema already). */
export function checkReadFields(params: Record<string, unknown>, objects: KnownObjects): ParamProblem[] {
  const problems: ParamProblem[] = [];
  const topic = typeof params.topic === 'string' ? params.topic : '';
  const channelObject = objectOfChannel(topic);
  const unknownObjects = new Set<string>();
  for (const param of READ_PARAMS) {
    const value = params[param];
    const lists: [string, unknown[], (string | number)[]][] = [];
    if (Array.isArray(value)) {
      // A list on a channel of several objects is read for each of them: which ones is the org's, not the spec's.
      if (channelObject) lists.push([channelObject, value, [param]]);
    } else if (value && typeof value === 'object') {
      for (const [object, list] of Object.entries(value))
        if (Array.isArray(list)) {
          if (channelObject && object.toLowerCase() !== channelObject.toLowerCase())
            problems.push({
              path: [param, object],
              severity: 'warning',
              message:
                `\`${param}.${object}\`: ${topic} carries ${channelObject} change events only, so these fields are ` +
                `never read: name the object ${channelObject}, or subscribe to a channel that carries ${object}`,
            });
          lists.push([object, list, [param, object]]);
        }
    }
    for (const [object, list, at] of lists)
      list.forEach((entry, i) => {
        if (typeof entry !== 'string') return;
        const problem = checkEntry(object, entry, objects, unknownObjects);
        if (problem) problems.push({ ...problem, path: [...at, i] });
      });
  }
  return problems;
}

/** The object of a single-object channel (`/data/AccountChangeEvent`, `/data/Fulfilment__ChangeEvent`). */
function objectOfChannel(topic: string): string | undefined {
  const custom = /^\/data\/(\w+)__ChangeEvent$/.exec(topic);
  if (custom) return `${custom[1]}__c`;
  const standard = /^\/data\/(\w+)ChangeEvent$/.exec(topic);
  return standard ? standard[1] : undefined;
}

type EntryProblem = Omit<ParamProblem, 'path'>;

function checkEntry(
  object: string,
  entry: string,
  objects: KnownObjects,
  unknownObjects: Set<string>,
): EntryProblem | undefined {
  const sub = /^\(\s*SELECT\s+([\s\S]+?)\s+FROM\s+(\w+)\b[\s\S]*\)$/i.exec(entry.trim());
  if (sub) return checkSubquery(object, entry, sub[1], sub[2], objects, unknownObjects);
  return checkPath(object, entry.trim(), entry.indexOf(entry.trim()), objects, unknownObjects);
}

/** A field or a parent's field by the dot (`Product2.ProductCode`), from `object`. */
function checkPath(
  object: string,
  path: string,
  start: number,
  objects: KnownObjects,
  unknownObjects: Set<string>,
): EntryProblem | undefined {
  let current = object;
  let offset = start;
  const segments = path.split('.');
  for (const [i, segment] of segments.entries()) {
    const known = objects.get(current);
    if (!known) return unknownObject(current, objects, unknownObjects, offset);
    const fields = (known.schema.properties ?? {}) as Fields;
    const last = i === segments.length - 1;
    if (last) {
      if (hasField(fields, segment)) return undefined;
      const hint = fieldHint(segment, Object.keys(fields));
      return {
        offset,
        severity: 'error',
        message:
          `\`${segment}\` is not a field of ${current} (${known.from}): Salesforce would refuse the read of every ` +
          `event (INVALID_FIELD)${hint ? `; did you mean \`${hint}\`?` : ''}`,
      };
    }
    const relationships = parentRelationships(fields);
    const found = [...relationships].find(([name]) => name.toLowerCase() === segment.toLowerCase());
    if (!found) {
      const hint = closest(segment, [...relationships.keys()]);
      return {
        offset,
        severity: 'error',
        message:
          `\`${segment}\` is not a relationship of ${current} (${known.from}; a parent is reached by its ` +
          `relationship name: \`Account\` for AccountId, \`Name__r\` for a custom Name__c)` +
          `${hint ? `; did you mean \`${hint}\`?` : ''}`,
      };
    }
    const to = found[1];
    // A polymorphic reference (Owner: User or Group) may lead to any of its objects: not checked further.
    if (to.length !== 1) return undefined;
    current = to[0];
    offset += segment.length + 1;
  }
  return undefined;
}

/** `(SELECT f, g FROM Children…)`: the child relationship of `object`, and the fields of the child object. */
function checkSubquery(
  object: string,
  entry: string,
  list: string,
  relationship: string,
  objects: KnownObjects,
  unknownObjects: Set<string>,
): EntryProblem | undefined {
  const children = childRelationships(object, objects);
  const child = [...children].find(([name]) => name.toLowerCase() === relationship.toLowerCase())?.[1];
  const at = entry.search(new RegExp(`\\bFROM\\s+${relationship}\\b`, 'i'));
  const relationshipAt = at + entry.slice(at).indexOf(relationship);
  if (!child) {
    if (!objects.get(object)) return unknownObject(object, objects, unknownObjects, relationshipAt);
    const hint = closest(relationship, [...children.keys()]);
    return {
      offset: relationshipAt,
      severity: 'warning',
      message:
        `no described object has a child relationship \`${relationship}\` to ${object}` +
        `${hint ? `; did you mean \`${hint}\`?` : ''}: if the child object is not described, pull it ` +
        `(\`junction schema pull ${objects.connection}\`); Salesforce refuses an unknown one (INVALID_TYPE)`,
    };
  }
  const listAt = entry.indexOf(list);
  let cursor = 0;
  for (const item of list.split(',')) {
    const name = item.trim();
    const offset = listAt + cursor + item.indexOf(name);
    cursor += item.length + 1;
    const problem = checkPath(child, name, offset, objects, unknownObjects);
    if (problem) return problem;
  }
  return undefined;
}

function unknownObject(
  object: string,
  objects: KnownObjects,
  reported: Set<string>,
  offset: number,
): EntryProblem | undefined {
  if (reported.has(object)) return undefined;
  reported.add(object);
  return {
    offset,
    severity: 'warning',
    message:
      `no field list of ${object} is known (neither the connector nor schemas/overlays/${objects.connection}/` +
      `${object}.json describes it), so its fields here are not checked: run \`junction schema pull ` +
      `${objects.connection}\` to record them`,
  };
}

/** A field by its API name, whatever its case; a compound address or name by the fields it is made of. */
function hasField(fields: Fields, name: string): boolean {
  const lower = name.toLowerCase();
  const names = Object.keys(fields).map((n) => n.toLowerCase());
  if (names.includes(lower)) return true;
  // Compound fields (API guide "Compound Fields"): BillingAddress of BillingStreet…, a person's Name of FirstName.
  const address = /^(\w*)address$/.exec(lower);
  if (address && names.includes(`${address[1]}street`)) return true;
  return lower === 'name' && names.includes('firstname') && names.includes('lastname');
}

/** A custom field named without its `__c` suffix gets it as the hint; otherwise the closest name. */
function fieldHint(name: string, names: string[]): string | undefined {
  return names.find((n) => n.toLowerCase() === `${name.toLowerCase()}__c`) ?? closest(name, names);
}

/** Parent relationship names of an object's references (`AccountId` -> `Account`, `X__c` -> `X__r`), to objects. */
function parentRelationships(fields: Fields): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, field] of Object.entries(fields)) {
    const to = field['x-reference-to'];
    if (!to?.length) continue;
    if (/__c$/i.test(name)) out.set(name.replace(/__c$/i, '__r'), to);
    else if (/Id$/.test(name) && name.length > 2) out.set(name.slice(0, -2), to);
  }
  return out;
}

/** The child relationships that lead to `parent`, by name, to the child object. */
function childRelationships(parent: string, objects: KnownObjects): Map<string, string> {
  const out = new Map<string, string>();
  for (const object of objects.names())
    for (const field of Object.values((objects.get(object)?.schema.properties ?? {}) as Fields)) {
      const name = field['x-child-relationship'];
      if (name && field['x-reference-to']?.some((t) => t.toLowerCase() === parent.toLowerCase())) out.set(name, object);
    }
  return out;
}
