/**
 * Adds a JetStream stream unless it is there already, safe from many processes at once: two engines starting
 * together both find it missing and both add it, and the one the broker refuses finds it there when it looks again.
 */
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { JetStreamManager, StreamConfig, StreamInfo } from '@nats-io/jetstream';

/** The stream's info when it was there before (its config may differ from `config`), else undefined: added now. */
export async function addStreamUnlessThere(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<StreamInfo | undefined> {
  const existing = await jsm.streams.info(config.name).catch((error: unknown) => {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return undefined;
    throw error;
  });
  if (existing) return existing;
  await jsm.streams.add(config).catch(async (error) => {
    // Another process won the race: fine, as long as the stream is there now.
    if (!(await jsm.streams.info(config.name).catch(() => undefined))) throw error;
  });
  return undefined;
}
