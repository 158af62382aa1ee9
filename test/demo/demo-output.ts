/**
 * What the demo tests read of `junction demo`'s output: the steps of its timeline, each announced on a `  » ` line,
 * and the JSON summary of its end check, its last line.
 */

/** The timeline's steps, in the order the demo takes them. */
export const DEMO_TIMELINE = [
  'FinancialForce is down (503)',
  'FinancialForce is back',
  'M3 commits orders, confirmations and GL postings but the answers are lost',
  'committing a mapping change (invoice description)',
  'an ad on a fulfilled contract',
  'the contract is reopened; replaying the dead letter',
  'traffic stopped; waiting for the queues to drain',
];

/** The steps the demo announced, in order: each `  » ` line up to its first `:` or `…`. */
export function timelineSteps(lines: string[]): string[] {
  return lines.filter((l) => l.startsWith('  » ')).map((l) => l.slice(4).split(':')[0].split('…')[0]);
}

/** The end check's figures (events, delivered, lost, duplicates, …): the demo's last line. */
export function endSummary(lines: string[]): Record<string, number> {
  return JSON.parse(lines.at(-1)!) as Record<string, number>;
}

/** The demo's list of its dead letters (`  dead letter <id> <integration> key=… <code>: … (<reason>, …)`), as text. */
export function deadLetterList(lines: string[]): string {
  return lines.filter((l) => l.startsWith('  dead letter ')).join('\n');
}
