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

/** The diagnostics of `files` (path -> text, in order) compiled after `connections/ff.yaml`. */
export function diagnosticsBesideSalesforce(files: Record<string, string>): Diagnostic[] {
  const all = [['connections/ff.yaml', CONNECTION], ...Object.entries(files)];
  return compileSpecTree(
    { displayRoot: '.', files: all.map(([path, text]) => ({ path, bytes: Buffer.from(text) })) },
    { connectors: createConnectorRegistry(), engine: referenceEngine },
  ).diagnostics;
}
