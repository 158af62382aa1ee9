/**
 * The words for a replay refused because its integration is paused (`junction pause`), apart from the decision so
 * that `junction dlq` loads no NATS package before its command runs.
 */
import type { PauseInfo } from '../control/pause-control.js';
import { pausedBy } from '../control/paused-by.js';

/**
 * Why a replay into a paused integration is refused, and what to do. Replayed then, the event would only wait in the
 * events stream behind the pause while its entry said "replayed": the entry stays open until the operator resumes.
 */
export function pausedReplayMessage(integration: string, pause: PauseInfo): string {
  return (
    `integration ${integration} is paused (${pausedBy(pause)}): a replay now would only wait in the ` +
    `events stream behind the pause, its entry marked replayed before anything is delivered; the entry stays open: ` +
    `resume the integration first (junction resume ${integration}), then replay it`
  );
}
