import { actorLabel } from '../operator/principal.js';

/**
 * Who paused an integration, when and why, in the same words wherever it is shown (`junction status`, a replay
 * refused for the pause): `by cli:root@vm at 2026-12-06T05:20:00.000Z: "ERP upgrade"`. The actor keeps its kind, so
 * a CLI user, an API token and a dashboard user of the same name are told apart. No NATS import: the CLI loads it.
 */
export function pausedBy(pause: { by: { kind: string; id: string }; at: string; reason?: string }): string {
  return `by ${actorLabel(pause.by)} at ${pause.at}${pause.reason ? `: ${JSON.stringify(pause.reason)}` : ''}`;
}
