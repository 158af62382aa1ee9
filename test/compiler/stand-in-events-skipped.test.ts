/**
 * A Salesforce change stream's `when` that takes a change type by name but not its gap counterpart (`UPDATE` but not
 * `GAP_UPDATE`) skips every such gap event without a trace: `validate` warns at the literal. A `when` that names
 * both, or uses the change type other than as a plain list or equality (`!=`, `$not`, `$contains`), is not warned.
 */
import { expect, it } from 'vitest';
import { changeStreamSpec, diagnosticsBesideSalesforce } from '../helpers/salesforce-specs.js';

function warnings(when: string): string[] {
  const params = ' { topic: /data/ProductItemChangeEvent, gap_fields: [QuantityOnHand] }';
  return diagnosticsBesideSalesforce({ 'stock.yaml': changeStreamSpec(params, ` |\n${when}`) }).map(
    (d) => `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code} ${d.message}`,
  );
}

const WHY =
  'Salesforce sends a gap event (header and record ids only) instead of the ordinary one when it cannot generate ' +
  'it (an event over 1 MB, an internal error, a change applied in the database such as a cleanup job), and this ' +
  'flow skips those events without a trace.';

it('warns at the literal when a change type is taken and its gap counterpart is not', () => {
  expect(
    warnings(
      '  ChangeEventHeader.changeType in ["CREATE", "GAP_CREATE"]\n' +
        '    or (ChangeEventHeader.changeType = "UPDATE" and "QuantityOnHand" in ChangeEventHeader.changedFields)\n' +
        '    or ChangeEventHeader.changeType = "DELETE"',
    ),
  ).toEqual([
    `stock.yaml:12:40 warning stand-in-events-skipped \`when\` takes UPDATE, DELETE but not GAP_UPDATE, GAP_DELETE: ${WHY} ` +
      'Add GAP_UPDATE, GAP_DELETE where UPDATE, DELETE are listed (they read `gap_fields`, the fields an ordinary ' +
      'event carries itself), or test for them apart if they need other handling',
  ]);
});

it('is silent when the gap types are named, when the change type is not tested, or tested other than by name', () => {
  expect(
    warnings('  ChangeEventHeader.changeType in ["CREATE", "UPDATE", "GAP_CREATE", "GAP_UPDATE"] and Id != null'),
  ).toEqual([]);
  expect(warnings('  QuantityOnHand > 0')).toEqual([]);
  expect(warnings('  ChangeEventHeader.changeType != "DELETE" and ChangeEventHeader.changeType = "UPDATE"')).toEqual(
    [],
  );
  expect(
    warnings('  $not(ChangeEventHeader.changeType in ["DELETE"]) or ChangeEventHeader.changeType = "UPDATE"'),
  ).toEqual([]);
  expect(
    warnings('  ChangeEventHeader.changeType = "UPDATE" or $contains(ChangeEventHeader.changeType, "GAP")'),
  ).toEqual([]);
});
