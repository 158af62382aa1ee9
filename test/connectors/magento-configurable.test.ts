/**
 * Magento's configurable-product API as Magento_ConfigurableProduct's OptionRepository::save and
 * LinkManagement::addChild behave, pinned against the emulator through the real client: a first option makes a
 * simple product configurable, a second one for the same attribute is refused, and a child is linked once, only with
 * a value for the parent's attribute.
 */
import { describe, expect, it } from 'vitest';
import { failure } from './connector-fixtures.js';
import { magentoPerTest } from './magento-emulator-client.js';

const start = magentoPerTest();

const size = { attribute_id: '144', label: 'Size', position: 0, values: [{ value_index: 202 }, { value_index: 203 }] };
/** A simple child of size M (option 202 of the store's `size` attribute). */
const child = (sku: string, id: number, value?: string) => ({
  id,
  sku,
  name: sku,
  price: 25,
  type_id: 'simple',
  visibility: 1,
  status: 1,
  custom_attributes: value ? [{ attribute_code: 'size', value }] : [],
});

describe('magento configurable products', () => {
  it('a first option makes the product configurable; a second for the same attribute is refused', async () => {
    const { m, call } = await start();
    expect(await call('configurable_options.create', { sku: 'TEE-1', option: size })).toEqual({ sku: 'TEE-1', id: 1 });
    expect(m.state.products.get('TEE-1')).toMatchObject({
      type_id: 'configurable',
      extension_attributes: {
        configurable_product_options: [
          { id: 1, attribute_id: '144', label: 'Size', position: 0, values: size.values, product_id: 2 },
        ],
        configurable_product_links: [],
      },
    });
    const again = await failure(call('configurable_options.create', { sku: 'TEE-1', option: size }));
    expect([again.code, again.status, again.message]).toEqual(['validation', 400, 'Product already has this option']);
  });

  it('refuses an option without label and values (all reasons), for a product the store lacks, or an unknown attribute', async () => {
    const { call } = await start();
    const incomplete = await failure(
      call('configurable_options.create', { sku: 'TEE-1', option: { attribute_id: '144' } }),
    );
    expect([incomplete.status, incomplete.message]).toEqual([
      400,
      'One or more input exceptions have occurred.: Option label is not specified.; Option values are not specified.',
    ]);
    const unindexed = await failure(
      call('configurable_options.create', { sku: 'TEE-1', option: { ...size, values: [{ value_index: 0 }] } }),
    );
    expect(unindexed.message).toBe('Value index is not specified for an option.');
    const missing = await failure(call('configurable_options.create', { sku: 'NOPE', option: size }));
    expect([missing.code, missing.status]).toEqual(['not-found', 404]);
    const unknown = await failure(
      call('configurable_options.create', { sku: 'TEE-1', option: { ...size, attribute_id: '999' } }),
    );
    expect([unknown.code, unknown.message]).toEqual([
      'not-found',
      'The attribute with a "999" attributeCode doesn\'t exist. Verify the attribute and try again.',
    ]);
  });

  it('links a child once, only to a parent with options and with a value for each configurable attribute', async () => {
    const { m, call } = await start();
    m.state.products.set('TEE-1-M', child('TEE-1-M', 5, '202'));
    m.state.products.set('TEE-1-X', child('TEE-1-X', 6));
    const noOptions = await failure(call('configurable_children.link', { sku: 'TEE-1', childSku: 'TEE-1-M' }));
    expect([noOptions.status, noOptions.message]).toEqual([
      400,
      "The parent product doesn't have configurable product options.",
    ]);
    await call('configurable_options.create', { sku: 'TEE-1', option: size });
    const noValue = await failure(call('configurable_children.link', { sku: 'TEE-1', childSku: 'TEE-1-X' }));
    expect(noValue.message).toBe(
      'The child product doesn\'t have the "size" attribute value. Verify the value and try again.',
    );
    expect(await call('configurable_children.link', { sku: 'TEE-1', childSku: 'TEE-1-M' })).toEqual({
      sku: 'TEE-1',
      childSku: 'TEE-1-M',
      linked: true,
    });
    expect(m.state.products.get('TEE-1')!.extension_attributes).toMatchObject({ configurable_product_links: [5] });
    const twice = await failure(call('configurable_children.link', { sku: 'TEE-1', childSku: 'TEE-1-M' }));
    expect([twice.code, twice.status, twice.message]).toEqual(['validation', 400, 'The product is already attached.']);
    const orphan = await failure(call('configurable_children.link', { sku: 'TEE-1', childSku: 'NOPE' }));
    expect([orphan.code, orphan.status]).toEqual(['not-found', 404]);
  });

  it('answers an option for a product type it cannot configure (virtual is fine, bundle is not) as an internal error', async () => {
    const { m, call } = await start();
    m.state.products.set('KIT-1', { ...child('KIT-1', 9), type_id: 'bundle' });
    const bundle = await failure(call('configurable_options.create', { sku: 'KIT-1', option: size }));
    expect(bundle.status).toBe(500);
    expect(bundle.message).toMatch(/^Internal Error\. Details are available in Magento log file\. Report ID: webapi-/);
    expect(await call('configurable_options.create', { sku: 'INVOICE-PAYMENT', option: size })).toEqual({
      sku: 'INVOICE-PAYMENT',
      id: 1,
    });
  });
});
