/** Spec sets for the operator-command tests, compiled from YAML text with the real connectors, as the CLI would. */
import { createConnectorRegistry } from '../../connectors/index.js';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import type { CompiledSpecSet } from '../../engine/compiler/compiled-spec.js';
import { transformEngine } from '../../engine/transform/select-engine.js';

/** Compiles `files` (path -> YAML text); throws with every diagnostic when they do not compile. */
export function compileOpsSpecs(files: Record<string, string>): CompiledSpecSet {
  const tree = {
    displayRoot: '.',
    files: Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text) })),
  };
  const result = compileSpecTree(tree, { connectors: createConnectorRegistry(), engine: transformEngine('junction') });
  if (!result.specSet)
    throw new Error(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col} ${d.code} ${d.message}`).join('\n'));
  return result.specSet;
}

/** A Connection spec. */
export function connectionYaml(name: string, type: string, baseUrl: string, extra = ''): string {
  return `apiVersion: junction/v1
kind: Connection
name: ${name}
type: ${type}
base_url: ${baseUrl}
timeout: 2s
${extra}`;
}

/**
 * A Magento shop and an integration `customers` that lists its customers two to a page by `updated_at`
 * (customers.changes, which pages in cursor order); only customers with an e-mail are synced.
 */
export function customerListingSpecs(): CompiledSpecSet {
  return compileOpsSpecs({
    'shop.yaml': connectionYaml(
      'shop',
      'magento',
      'https://shop.example.com',
      'auth: { type: magento_token, token: "${env:SHOP_TOKEN}" }\n',
    ),
    'customers.yaml': `apiVersion: junction/v1
kind: Integration
name: customers
source: { webhook: { verify: { hmac_sha256: { header: X-Sig, secret: "\${env:HOOK_SECRET}" } } } }
key: $string(id)
when: $exists(email)
steps:
  - { id: again, connection: shop, operation: customers.get, body: '{ "id": id }' }
read:
  list: { connection: shop, operation: customers.changes, params: { since: $cursor, page_size: 2 }, cursor: updated_at }
`,
  });
}
