/**
 * The `http` connector fills its `path` template from the record. Templates are split once and kept
 * (connectors/http/operations.ts); every path, and every refusal of a record without a field the path needs, must be
 * what matching the template on each call gave: each `{field}` (word characters) replaced in order by the record's
 * URL-encoded value, anything else left as written.
 */
import { describe, expect, it } from 'vitest';
import { httpOperations } from '../../connectors/http/operations.js';
import { permanentError } from '../../engine/sdk/index.js';

/** The template filled by matching it, as each call did before the templates were kept. */
function matchedPath(template: string, row: Record<string, unknown>): string {
  return template.replace(/\{(\w+)\}/g, (_, field: string) => {
    const value = row[field];
    if (value === undefined || value === null || value === '')
      throw permanentError('validation', `the record has no ${field} for the path ${template}`, { field });
    return encodeURIComponent(String(value));
  });
}

const row = {
  key: 'order-100000123',
  id: 42,
  a: 'x/y?z=1&w#frag',
  b: 'Grüße 日本',
  c: 0,
  d: false,
  e: -0.5,
  empty: '',
  nothing: null,
  _u: 'under',
};

const TEMPLATES = [
  '/orders/{key}',
  '/orders/{key}/lines/{id}',
  '{id}',
  '/{a}/{b}/{c}/{d}/{e}/{_u}',
  '/{key}{id}',
  '/plain/path',
  '',
  '/{}/{a-b}/{ key }/{{id}}/{key}}/{{key}',
  '/{key}/{key}?x={id}',
  '/dollar/$&/$1/{id}/$`',
  '/{missing}/{key}',
  '/{key}/{empty}',
  '/{nothing}',
];

function attempt(fill: () => string): { path: string } | { error: unknown } {
  try {
    return { path: fill() };
  } catch (error) {
    return { error };
  }
}

describe('http connector path templates', () => {
  it('fill every template as matching it did, refusals included, also when filled again', () => {
    for (let round = 0; round < 2; round++)
      for (const template of TEMPLATES) {
        const call = { params: { path: template, object: 'order', id_field: 'key' }, body: row, options: {} };
        const filled = attempt(() => httpOperations.put!.request(call).path);
        const matched = attempt(() => matchedPath(template, row));
        expect(filled, template).toEqual(matched);
        if ('error' in matched)
          expect((filled as { error: Error }).error.message, template).toBe((matched.error as Error).message);
      }
  });

  it('refuses the first field missing from the record, in template order', () => {
    const call = { params: { path: '/{id}/{missing}/{nothing}', object: 'o', id_field: 'id' }, body: row, options: {} };
    expect(() => httpOperations.put!.request(call)).toThrow(
      'the record has no missing for the path /{id}/{missing}/{nothing}',
    );
  });

  it('fills a template computed per record, not only the one kept first', () => {
    for (const id of [1, 2, 3]) {
      const call = {
        params: { path: `/tenants/${id}/orders/{key}`, object: 'o', id_field: 'key' },
        body: row,
        options: {},
      };
      expect(httpOperations.put!.request(call).path).toBe(`/tenants/${id}/orders/order-100000123`);
    }
  });
});
