/**
 * The words for a replay that would run finished steps again (engine/runtime/operator/replay-steps.ts decides it),
 * apart from the decision so that `junction dlq` loads no NATS package before its command runs.
 */
/** Why a replay would run finished steps again, and what to do (the API's refusal and the CLI's note). */
export function stepsRerunMessage(renamed: string[], expired: string[]): string {
  const list = (steps: string[]) => `step${steps.length === 1 ? '' : 's'} ${steps.join(', ')}`;
  const why = [
    ...(renamed.length > 0
      ? [`the event finished ${list(renamed)}, which the active spec set no longer has (renamed or removed)`]
      : []),
    ...(expired.length > 0
      ? [
          `the checkpoints of the event's finished ${list(expired)} expired (kept as long as the ledger, 7 days by default)`,
        ]
      : []),
  ];
  const fix = [
    ...(renamed.length > 0 ? ['give a renamed step its old id back'] : []),
    ...(expired.length > 0 ? ['check what the first run made on the target (resolve the entry if it is done)'] : []),
  ];
  return `${why.join(', and ')}: a replay would run them again (a create would make a second record); ${fix.join(', or ')}`;
}
