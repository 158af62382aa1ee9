/** The states of a dead letter, apart from the store so that the CLI can offer them without loading NATS. */
export type DeadLetterStatus = 'open' | 'replayed' | 'resolved';
export const DEAD_LETTER_STATUSES: readonly DeadLetterStatus[] = ['open', 'replayed', 'resolved'];
