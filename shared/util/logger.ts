/**
 * The logger the memory, the migration and the edge write to: the smallest interface Powertools'
 * Logger satisfies, so the layers can be tested with a recording one and run with the real one.
 */

export type LogAttributes = Record<string, unknown>;

/** Each method takes a message and (at most) one object of attributes. */
export interface Logger {
  debug(message: string, ...attributes: LogAttributes[]): void;
  info(message: string, ...attributes: LogAttributes[]): void;
  warn(message: string, ...attributes: LogAttributes[]): void;
  error(message: string, ...attributes: LogAttributes[]): void;
}

/** Writes nothing: for callers that have no logger (a benchmark helper, a one-off script). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
