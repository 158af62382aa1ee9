/**
 * The step bodies of the seed specs (specs/**\/*.yaml) as benchmark mappings: each evaluated on the event of its
 * integration's first spec-test case (on the first `for_each` element for per-element steps), with $lookup/$xref
 * answered by simple functions.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { junctionEngine } from '../../engine/transform/junction-engine.js';
import type { Mapping } from './transform-mappings.js';

interface Step {
  id: string;
  body?: unknown;
  for_each?: string;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return p.endsWith('.yaml') && !p.endsWith('.test.yaml') ? [p] : [];
  });
}

function firstEvent(specFile: string): unknown {
  const testFile = specFile.replace(/\.yaml$/, '.test.yaml');
  if (!existsSync(testFile)) return undefined;
  const doc = parseYaml(readFileSync(testFile, 'utf8')) as { cases?: { event?: unknown }[] };
  return doc?.cases?.[0]?.event;
}

export function seedSpecBodies(dir = 'specs'): Mapping[] {
  const out: Mapping[] = [];
  for (const file of yamlFiles(dir)) {
    const doc = parseYaml(readFileSync(file, 'utf8')) as { name?: string; steps?: Step[] };
    const event = firstEvent(file);
    if (event === undefined) continue;
    for (const step of doc?.steps ?? []) {
      if (typeof step.body !== 'string') continue;
      let input: unknown = event;
      if (step.for_each) {
        const all = junctionEngine.compile(step.for_each).evaluate(event, { event });
        input = Array.isArray(all) ? all[0] : all;
      }
      out.push({
        name: `seed ${doc.name}.${step.id}`,
        expr: step.body,
        input,
        bindings: {
          event,
          steps: {},
          index: 0,
          lookup: (table: string, key: unknown) => (key === undefined ? undefined : `${table}:${String(key)}`),
          xref: (map: string, id: unknown) => (id === undefined ? undefined : `${map}:${String(id)}`),
        },
      });
    }
  }
  return out;
}
