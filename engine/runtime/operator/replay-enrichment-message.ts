/**
 * Why a dead letter whose enrichment read the source refused (`enrichment-refused`: Salesforce's INVALID_FIELD for a
 * field the spec's `enrich_fields` or `gap_fields` names and the org lacks) is not replayed: the entry keeps the
 * change as it came, without the fields the read adds, and a replay stores that change again without re-running the
 * read, so the target would get the record without them (a create with those fields blank). The record is brought
 * over whole by reading it again after the fix: a reconcile or a backfill (docs/connectors.md, "Enriching change
 * events"). The same words over the API, the CLI (NATS or --url) and the dashboard.
 */
import type { DeadLetter } from '../stores/dead-letter-store.js';

/** The dead letter's error code for an event whose enrichment read the source refused for good. */
export const ENRICHMENT_REFUSED = 'enrichment-refused';

export function enrichmentRefusedMessage(entry: Pick<DeadLetter, 'id' | 'integration' | 'key'>): string {
  const { id, integration, key } = entry;
  return (
    `the source refused the enrichment read of its change (${ENRICHMENT_REFUSED}), and a replay does not read ` +
    'again: it would send the change without the fields that read adds; fix the spec (or the org), then bring ' +
    `record ${key} over by reading it again (\`junction reconcile ${integration} --all --fix\` or \`junction ` +
    `backfill ${integration}\`) and resolve the entry (\`junction dlq resolve ${id} --reason "reconciled"\`); ` +
    'force the replay to send the change without those fields anyway'
  );
}
