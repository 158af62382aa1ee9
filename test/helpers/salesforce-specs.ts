/**
 * Spec files compiled beside a Salesforce connection named `ff`, against the real connector registry: for the checks
 * only a vendor connector's stream source makes (its object schemas, its gap change types).
 */
import { createConnectorRegistry } from '../../connectors/index.js';
import { compileSpecTree } from '../../engine/compiler/compile-spec-set.js';
import type { Diagnostic } from '../../engine/compiler/diagnostics.js';
import { referenceEngine } from '../../engine/transform/reference-engine.js';

const CONNECTION = `apiVersion: junction/v1
kind: Connection
name: ff
type: salesforce
base_url: https://ff.my.salesforce.com
auth: { type: oauth2_client_credentials, token_url: https://ff.my.salesforce.com/services/oauth2/token, client_id: "\${env:SF_ID}", client_secret: "\${env:SF_SECRET}" }
`;

/**
 * Integration `stock` on `ff`'s change stream, with one query step. `params` and `when` are the YAML written after
 * `params:` and `when:` (a flow mapping after a space, or a newline and indented lines); no `when` without one.
 */
export function changeStreamSpec(params: string, when?: string): string {
  return `apiVersion: junction/v1
kind: Integration
name: stock
source:
  stream:
    connection: ff
    stream: change_events
    params:${params}
key: Id
${when === undefined ? '' : `when:${when}\n`}steps:
  - { id: read, connection: ff, operation: query, body: '{ "q": "SELECT Id FROM Account" }' }
`;
}

/** The diagnostics of `files` (path -> text, in order) compiled after `connections/ff.yaml`. */
export function diagnosticsBesideSalesforce(files: Record<string, string>): Diagnostic[] {
  const all = [['connections/ff.yaml', CONNECTION], ...Object.entries(files)];
  return compileSpecTree(
    { displayRoot: '.', files: all.map(([path, text]) => ({ path, bytes: Buffer.from(text) })) },
    { connectors: createConnectorRegistry(), engine: referenceEngine },
  ).diagnostics;
}
