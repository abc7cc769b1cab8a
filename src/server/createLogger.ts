import { pino, type DestinationStream, type Logger } from 'pino';

/** Log levels the server accepts (pino's). */
export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/**
 * The server's structured logger: one JSON object per line (pino) with `level` as a name, an ISO
 * `time`, `service: "cosched"` and the message in `msg`; errors under `err` with their stack.
 * Writes to stdout unless `destination` is given (tests pass a stream).
 */
export function createLogger(level: LogLevel = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'cosched' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return destination ? pino(options, destination) : pino(options);
}
