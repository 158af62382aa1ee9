/**
 * Changes a source's vendor reported it cannot deliver as events (a Salesforce overflow event, a field type
 * conversion, a replay id past retention: `missedChanges` in sources/source-health.ts), as the status shows them: the
 * report and the command that recovers them. Nothing is delivered for those changes until someone reconciles (or
 * backfills) the integration, so the report stays open until a whole reconcile (`--all`) of it has finished after it.
 */
import type { CompiledIntegration } from '../../compiler/compiled-spec.js';
import type { SourceHealthRecord } from '../sources/source-health.js';

export interface MissedChangesStatus {
  /** When the source was told (ISO). */
  at: string;
  /** The vendor's report: what was missed (the object, the transaction and its commit time) and what to recover. */
  message: string;
  /** The command that re-reads and re-sends them, or what the integration needs before one can. */
  recover: string;
  /**
   * When a whole reconcile of the integration finished after the report (ISO): the operator has compared both sides
   * since (its differences are in the reconcile report). Unset while the report is open.
   */
  reconciledAt?: string;
}

/** A reconcile as stored for the dashboard (control/reconcile-reports.ts): when it finished, and of what. */
export interface ReconcileRun {
  at: string;
  scope: 'all' | number;
}

/**
 * The integration's name, and whether it can list its source records (`read.list`: reconcile and backfill need it):
 * a compiled integration, or what `junction status --nats` knows of one from the published specs.
 */
type IntegrationReads = Pick<CompiledIntegration, 'name'> & { read?: { list?: unknown } };

/** The missed changes of `integration` with their recovery, or undefined when its source never reported any. */
export function missedChangesStatus(
  integration: IntegrationReads,
  health: SourceHealthRecord | undefined,
  lastReconcile: ReconcileRun | undefined,
): MissedChangesStatus | undefined {
  const missed = health?.missedChanges;
  if (!missed) return undefined;
  const reconciled =
    lastReconcile?.scope === 'all' && Date.parse(lastReconcile.at) > Date.parse(missed.at)
      ? lastReconcile.at
      : undefined;
  return {
    at: missed.at,
    message: missed.message,
    recover: recoverCommand(integration, missed.message),
    ...(reconciled ? { reconciledAt: reconciled } : {}),
  };
}

/**
 * `junction reconcile <name> specs --all --fix`, from the transaction's commit time when the report names one (an
 * overflow event, a field type conversion): reconcile compares both sides first and re-sends only what differs.
 */
function recoverCommand(integration: IntegrationReads, message: string): string {
  const committed = /committed at (\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(message)?.[1];
  const command = `junction reconcile ${integration.name} specs --all${committed ? ` --since ${committed}` : ''} --fix`;
  if (integration.read?.list) return command;
  return `give ${integration.name} a read.list (how to list its source records), then: ${command}`;
}
