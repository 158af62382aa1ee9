/**
 * What Magento's category save gives a new category, pinned against the emulator through the real client: its place
 * in the tree (path, level, position after its siblings), its URL key and path, the defaults CategoryInterface
 * answers, and one more descendant counted on every category above it (docs/connectors.md, "Categories").
 */
import { describe, expect, it } from 'vitest';
import { MAGENTO_TIME } from './connector-fixtures.js';
import { magentoPerTest } from './magento-emulator-client.js';

const start = magentoPerTest();

describe('a new Magento category', () => {
  it('goes after its siblings, one level below its parent, with its URL key and path; each category above counts it', async () => {
    const { m, call } = await start();
    const childrenCount = (id: number) =>
      (m.state.categories.get(id)!.custom_attributes as { attribute_code: string; value: unknown }[]).find(
        (a) => a.attribute_code === 'children_count',
      )!.value;
    expect([1, 2, 3].map(childrenCount)).toEqual(['4', '3', '2']);
    const created = await call('categories.create', { name: 'Bags & Totes', parent_id: 3, is_active: true });
    expect(created).toEqual({
      ...{ id: 13, parent_id: 3, name: 'Bags & Totes', is_active: true, position: 3, level: 3, children: '' },
      created_at: expect.stringMatching(MAGENTO_TIME),
      updated_at: expect.stringMatching(MAGENTO_TIME),
      path: '1/2/3/13',
      available_sort_by: [],
      include_in_menu: true,
      custom_attributes: [
        { attribute_code: 'url_key', value: 'bags-totes' },
        { attribute_code: 'url_path', value: 'shop/bags-totes' },
        { attribute_code: 'children_count', value: '0' },
      ],
    });
    expect([1, 2, 3, 11].map(childrenCount)).toEqual(['5', '4', '3', '0']);
  });

  it('keeps a position, a menu choice and a URL key it was sent (formatted); directly under the store root its path is its key', async () => {
    const { call } = await start();
    const created = await call('categories.create', {
      ...{ name: 'Gear', is_active: true, include_in_menu: false, position: 7 },
      custom_attributes: [{ attribute_code: 'url_key', value: 'Outdoor Gear!' }],
    });
    expect(created).toMatchObject({
      ...{ id: 13, parent_id: 2, level: 2, path: '1/2/13', position: 7, include_in_menu: false },
      custom_attributes: [
        { attribute_code: 'url_key', value: 'outdoor-gear' },
        { attribute_code: 'url_path', value: 'outdoor-gear' },
        { attribute_code: 'children_count', value: '0' },
      ],
    });
  });

  it('a store root (under Root Catalog) gets a URL key but no URL path', async () => {
    const { call } = await start();
    const created = (await call('categories.create', { name: 'Wholesale Root', parent_id: 1, is_active: true })) as {
      custom_attributes: object[];
    };
    expect(created).toMatchObject({ parent_id: 1, level: 1, path: '1/13', position: 2 });
    expect(created.custom_attributes).toEqual([
      { attribute_code: 'url_key', value: 'wholesale-root' },
      { attribute_code: 'children_count', value: '0' },
    ]);
  });
});
