/**
 * What the cluster remembers about alerts, in the control bucket, so a new evaluator (after a failover) neither
 * forgets a firing alert nor notifies it twice:
 *   alert-state.<alert>    per subject: since when the condition holds, when it fired, when it was last notified
 *   alert-silence.<alert>  `junction alert silence`: until when, why, who
 *   alert-names            the Alert specs the engines run (their active commit), so `junction alert list` shows
 *                          them and `junction alert silence` refuses a name none has (a typo would silence nothing)
 */
import type { KV } from '@nats-io/kv';
import { listLiveEntries, readLiveEntry } from '../broker/kv-listing.js';

export interface InstanceState {
  /** When the condition started to hold (ISO). */
  since: string;
  /** When it had held for the alert's `for` (ISO); unset while pending. */
  firingAt?: string;
  /** When the receivers were last told it fires (ISO); unset when never (pending, or silenced). */
  notifiedAt?: string;
  value: number;
  summary: string;
  /** Which occurrence holds (alert-conditions.ts `occurrence`), when the condition tells them apart. */
  occurrence?: string;
}

/** subject -> state. */
export type AlertState = Record<string, InstanceState>;

interface AlertSilence {
  until: string;
  reason: string;
  by: string;
  at: string;
}

const stateKey = (alert: string) => `alert-state.${alert}`;
const silenceKey = (alert: string) => `alert-silence.${alert}`;

export async function readAlertStates(control: KV): Promise<Map<string, AlertState>> {
  const entries = await listLiveEntries(control, 'alert-state.*');
  return new Map(entries.map((e) => [e.key.slice('alert-state.'.length), e.json<AlertState>()]));
}

export async function writeAlertState(control: KV, alert: string, state: AlertState): Promise<void> {
  if (Object.keys(state).length === 0) await control.delete(stateKey(alert));
  else await control.put(stateKey(alert), JSON.stringify(state));
}

/** Live silences (expired ones are left out). */
export async function readSilences(control: KV, now = Date.now()): Promise<Map<string, AlertSilence>> {
  const entries = await listLiveEntries(control, 'alert-silence.*');
  return new Map(
    entries
      .map((e) => [e.key.slice('alert-silence.'.length), e.json<AlertSilence>()] as const)
      .filter(([, s]) => Date.parse(s.until) > now),
  );
}

export async function writeSilence(control: KV, alert: string, silence: AlertSilence): Promise<void> {
  await control.put(silenceKey(alert), JSON.stringify(silence));
}

/** Ends a silence; false when there was none in force. */
export async function removeSilence(control: KV, alert: string): Promise<boolean> {
  const entry = await readLiveEntry(control, silenceKey(alert));
  if (!entry || Date.parse(entry.json<AlertSilence>().until) <= Date.now()) return false;
  await control.delete(silenceKey(alert));
  return true;
}

/** The Alert specs of the active set, as the engines that evaluate alerts last published them. */
export interface LoadedAlerts {
  names: string[];
  commit: string;
}

const LOADED_KEY = 'alert-names';

export async function readLoadedAlerts(control: KV): Promise<LoadedAlerts | undefined> {
  return (await readLiveEntry(control, LOADED_KEY))?.json<LoadedAlerts>();
}

export async function writeLoadedAlerts(control: KV, loaded: LoadedAlerts): Promise<void> {
  await control.put(LOADED_KEY, JSON.stringify(loaded));
}
