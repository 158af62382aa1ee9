/** Per-event log lines whose pino child (integration, event id, attempt) is built only when a line is written. */
import type { Logger } from 'pino';

type LogLevel = 'info' | 'warn' | 'error';

/**
 * The event's log lines, with its integration, id and attempt as fields. The pino child that carries them is made
 * only when a line is actually written at the logger's level, not for every event.
 */
export class EventLog {
  #child: Logger | undefined;
  constructor(
    private readonly base: Logger,
    private readonly bindings: Record<string, unknown>,
  ) {}

  info(fields: object | string, message?: string): void {
    this.#write('info', fields, message);
  }
  warn(fields: object | string, message?: string): void {
    this.#write('warn', fields, message);
  }
  error(fields: object | string, message?: string): void {
    this.#write('error', fields, message);
  }

  #write(level: LogLevel, fields: object | string, message?: string): void {
    if (!this.base.isLevelEnabled(level)) return;
    const child = (this.#child ??= this.base.child(this.bindings));
    if (typeof fields === 'string') child[level](fields);
    else child[level](fields, message);
  }
}
