import { UsageError } from './UsageError.js';

/**
 * A UsageError for an error node:util parseArgs threw: an unknown flag is named on its own
 * (`unknown flag --x`), other parseArgs errors keep their first sentence, anything else its message.
 */
export function toUsageError(error: unknown): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) return new UsageError(`unknown flag ${unknown[1]}`);
  if (code?.startsWith('ERR_PARSE_ARGS_')) return new UsageError(message.split('. ')[0]);
  return new UsageError(message);
}
