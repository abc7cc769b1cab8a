import type { Logger } from 'pino';

/**
 * Waits for SIGTERM or SIGINT and stops in two steps, as `serve` and `worker` do: the first
 * signal calls `graceful()`, a second one `now()`; resolves once `graceful()` (or, when it was
 * asked for, `now()`'s stop) has finished. Each signal is logged with `messages`. The signal
 * listeners are removed when it resolves.
 */
export async function untilStopSignal(
  logger: Logger,
  messages: { first: string; second: string },
  stop: { graceful: () => Promise<unknown>; now: () => Promise<unknown> },
): Promise<void> {
  let onSignal: ((signal: NodeJS.Signals) => void) | undefined;
  try {
    await new Promise<void>((resolve) => {
      let received = 0;
      onSignal = (signal) => {
        received++;
        logger.info({ signal }, received === 1 ? messages.first : messages.second);
        if (received === 1) void stop.graceful().then(() => resolve());
        else void stop.now();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
    });
  } finally {
    if (onSignal) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
  }
}
